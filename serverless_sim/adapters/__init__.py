"""Adapters over the services' wire operations: boto3-shaped clients (and later the botocore
bridge and the HTTP endpoint)."""
