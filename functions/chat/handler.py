"""AWS Lambda entry point of the chat function (API Gateway v2/REST, Function URL events)."""

from mangum import Mangum

from functions.chat.app import app

handler = Mangum(app, lifespan="off")
