"""The API's routers, one module per concern; routes stay thin and call the coach or the store."""
