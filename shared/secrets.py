"""Secrets kept in AWS Secrets Manager rather than in a function's environment.

A deployment names the secret (``ADMIN_TOKEN_SECRET_ARN``, ``ANTHROPIC_API_KEY_SECRET_ARN``) instead of
putting its value in the Lambda configuration, where anyone who may read the function's settings sees it.
The value is the secret's ``SecretString`` as stored.
"""

from __future__ import annotations

import functools


class SecretUnavailable(RuntimeError):
    """A configured secret could not be read (missing, no permission, service unreachable)."""


@functools.cache
def read_secret(arn: str) -> str:
    """The secret's current value, fetched once per process (credentials and region from the environment)."""
    import boto3  # only deployments that name a secret pay for the import
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        value = boto3.client("secretsmanager").get_secret_value(SecretId=arn).get("SecretString")
    except (BotoCoreError, ClientError) as exc:
        raise SecretUnavailable(f"secret {arn} could not be read: {exc}") from exc
    if not value:
        raise SecretUnavailable(f"secret {arn} has no string value")
    return str(value)
