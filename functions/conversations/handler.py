"""AWS Lambda entry point of the conversations function (API Gateway v2/REST, Function URL events)."""

from mangum import Mangum

from functions.conversations.app import app

handler = Mangum(app, lifespan="off")
