"""AWS Lambda entry point of the instruments function (API Gateway v2/REST, Function URL events)."""

from mangum import Mangum

from functions.instruments.app import app

handler = Mangum(app, lifespan="off")
