"""Adapters over the services' wire operations (no adapter re-implements semantics):

- :mod:`.client`: boto3-shaped clients (``cloud.client(name)``), with paginators
  (:mod:`.pagination`) and waiters on the virtual clock (:mod:`.waiters`);
- :mod:`.resource`: DynamoDB's resource layer (``Table``), with boto3's type conventions
  (:mod:`.dynamodb_types`) and condition builders (:mod:`.conditions`);
- :mod:`.boto3_bridge`: real boto3 sessions answered by a Cloud (the ``boto3`` extra; the only
  module that imports boto3/botocore);
- :mod:`.http_server`: an HTTP endpoint speaking the AWS JSON protocols (:mod:`.wire`).
"""
