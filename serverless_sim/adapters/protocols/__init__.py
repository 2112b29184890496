"""The HTTP endpoint's model-driven wire protocols (botocore's models; the ``boto3`` extra).

:func:`dispatch` answers one request for any simulated service: :mod:`.router` picks the
service and protocol, and one module per protocol speaks it (``json_``: AWS JSON 1.0/1.1,
``cbor``: Smithy RPC v2 CBOR, ``query``, ``rest_json``, ``rest_xml``), each exporting
``handle(cloud, service_model, request) -> HttpResponse``. :mod:`.shapes` converts wire values
by shape; :mod:`.cbor_codec` is the CBOR codec; :mod:`.base` holds what they share.
"""

from .base import HttpRequest, HttpResponse
from .router import dispatch, resolve

__all__ = ["HttpRequest", "HttpResponse", "dispatch", "resolve"]
