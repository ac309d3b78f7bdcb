"""AWS Lambda entry point of the query function (API Gateway v2/REST, Function URL events)."""

from mangum import Mangum

from functions.query.app import app

handler = Mangum(app, lifespan="off")
