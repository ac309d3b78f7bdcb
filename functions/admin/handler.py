"""AWS Lambda entry point of the admin function."""

from mangum import Mangum

from functions.admin.app import app

handler = Mangum(app, lifespan="off")
