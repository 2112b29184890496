"""The Pythonic API: build APIs in one call and send requests.

::

    gw = cloud.service("apigateway")
    api_id = gw.create_http_api("shop", {"GET /items/{id}": "get_item", "ANY /{proxy+}": "fallback"})
    r = gw.request(api_id, "GET", "/items/42?x=1")          # $default stage: no stage in the path
    r.status, r.json()

    api_id = gw.create_rest_api("shop", {"/items/{id}": {"GET": "get_item"}}, stage="prod")
    gw.request(api_id, "GET", "/prod/items/42")

Targets are Lambda function names (or ARNs). Both builders go through the wire operations, so
they validate exactly as the AWS API does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any


def lambda_uri(cloud: Any, target: str) -> str:
    """The integration URI of a function name or ARN."""
    arn = target if target.startswith("arn:") else cloud.arn("lambda", f"function:{target}")
    return f"arn:aws:apigateway:{cloud.region}:lambda:path/2015-03-31/functions/{arn}/invocations"


class NativeOps:
    """Convenience builders (mixed into :class:`~.service.APIGateway`)."""

    if TYPE_CHECKING:
        cloud: Any
        create_rest_api_op: Any
        create_resource: Any
        put_method: Any
        put_integration: Any
        create_deployment: Any

    def create_rest_api(self, name: str, methods: dict[str, dict[str, str | dict[str, Any]]], *,
                        stage: str = "prod", variables: dict[str, str] | None = None, **api_params: Any) -> str:
        """A REST API with ``{"/path/{param}": {"GET": "function", ...}}``, deployed to ``stage``.

        A method value may be a dict of PutMethod parameters plus ``"function"``
        (``{"function": "f", "authorizationType": "CUSTOM", "authorizerId": ...}``). Returns the id.
        """
        api = self.create_rest_api_op({"name": name, **api_params})
        api_id = api["id"]
        ids = {"/": api["rootResourceId"]}
        for path in sorted(methods, key=lambda p: p.count("/")):
            parts = [p for p in path.split("/") if p]
            cur = ""
            for part in parts:
                parent = ids[cur or "/"]
                cur = f"{cur}/{part}"
                if cur not in ids:
                    ids[cur] = self.create_resource({"restApiId": api_id, "parentId": parent, "pathPart": part})["id"]
            rid = ids[cur or "/"]
            for verb, spec in methods[path].items():
                params = {"authorizationType": "NONE"}
                if isinstance(spec, dict):
                    spec = dict(spec)
                    fn = spec.pop("function")
                    integ = spec.pop("integration", {})
                    params.update(spec)
                else:
                    fn, integ = spec, {}
                self.put_method({"restApiId": api_id, "resourceId": rid, "httpMethod": verb, **params})
                self.put_integration({"restApiId": api_id, "resourceId": rid, "httpMethod": verb, "type": "AWS_PROXY",
                                      "integrationHttpMethod": "POST", "uri": lambda_uri(self.cloud, fn), **integ})
        self.create_deployment({"restApiId": api_id, "stageName": stage, **({"variables": variables} if variables else {})})
        return api_id  # type: ignore[no-any-return]

    def create_http_api(self, name: str, routes: dict[str, str], *, payload_format: str = "2.0",
                        stage: str = "$default", auto_deploy: bool = True, **api_params: Any) -> str:
        """An HTTP API with ``{"GET /items/{id}": "function", "$default": "function"}`` and an
        auto-deployed stage (``$default`` unless told). Returns the id."""
        v2: Any = self.cloud.service("apigatewayv2")
        api = v2.create_api({"Name": name, "ProtocolType": "HTTP", **api_params})
        api_id = api["ApiId"]
        integrations: dict[str, str] = {}
        for key, fn in routes.items():
            iid = integrations.get(fn)
            if iid is None:
                iid = integrations[fn] = v2.create_integration({
                    "ApiId": api_id, "IntegrationType": "AWS_PROXY", "IntegrationUri": lambda_uri(self.cloud, fn),
                    "PayloadFormatVersion": payload_format})["IntegrationId"]
            v2.create_route({"ApiId": api_id, "RouteKey": key, "Target": f"integrations/{iid}"})
        v2.create_stage({"ApiId": api_id, "StageName": stage, "AutoDeploy": auto_deploy})
        return api_id  # type: ignore[no-any-return]

    def create_websocket_api(self, name: str, routes: dict[str, str], *, stage: str = "prod",
                             selection: str = "$request.body.action", two_way: tuple[str, ...] = ()) -> str:
        """A WebSocket API with ``{"$connect": "f", "sendmessage": "g", "$default": "h"}``;
        routes in ``two_way`` send their integration's response back to the client."""
        v2: Any = self.cloud.service("apigatewayv2")
        api_id = v2.create_api({"Name": name, "ProtocolType": "WEBSOCKET", "RouteSelectionExpression": selection})["ApiId"]
        for key, fn in routes.items():
            iid = v2.create_integration({"ApiId": api_id, "IntegrationType": "AWS_PROXY",
                                         "IntegrationUri": lambda_uri(self.cloud, fn)})["IntegrationId"]
            params: dict[str, Any] = {"ApiId": api_id, "RouteKey": key, "Target": f"integrations/{iid}"}
            if key in two_way:
                params["RouteResponseSelectionExpression"] = "$default"
            v2.create_route(params)
        v2.create_stage({"ApiId": api_id, "StageName": stage, "AutoDeploy": True})
        return api_id  # type: ignore[no-any-return]


__all__ = ["NativeOps", "lambda_uri"]
