"""AWS Lambda entry point of the MCP function (API Gateway v2/REST, Function URL events)."""

from mangum import Mangum

from functions.mcp.app import app

handler = Mangum(app, lifespan="off")
