"""DynamoDB: tables, items, expressions, queries, batches, transactions, PartiQL."""
