# syntax=docker/dockerfile:1
# One Dockerfile, three images (each pip install takes only wheels from the runtime lock, no test tooling):
#   web            the container app (uvicorn: every function + the SPA), run behind Caddy
#   lambda-web     web + the Lambda Web Adapter, for the streaming chat function (Function URL)
#   lambda-mangum  the AWS Lambda Python base image with the Mangum handlers (buffered functions)
# tests/platform/test_images.py checks that every runtime pin has a wheel for each stage's Python and platform.

FROM node:20.19.5-bookworm-slim AS spa
WORKDIR /front
COPY front/package.json front/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY front/ ./
RUN npm run build

# The project as a wheel, so the images install it like any other package (nothing runs from a checkout).
FROM python:3.11.14-slim-bookworm AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md server.py ./
COPY shared/ shared/
COPY functions/ functions/
COPY data_store/ data_store/
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11.14-slim-bookworm AS web
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var DATA_DIR=/app/data SPA_DIR=/app/front/dist NUMBA_CACHE_DIR=/app/var/numba-cache
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-deps --only-binary=:all: -r requirements.lock
COPY --from=wheel /wheels /wheels
RUN pip install --no-deps /wheels/*.whl && useradd --create-home --uid 10001 barb && mkdir -p var data && chown 10001 var data
COPY --from=spa /front/dist front/dist
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["barb", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]

# Lambda's file system is read-only but for /tmp: state, caches and compiled kernels live there.
FROM web AS lambda-web
COPY --from=public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1 /lambda-adapter /opt/extensions/lambda-adapter
ENV PORT=8080 AWS_LWA_READINESS_CHECK_PATH=/health AWS_LWA_INVOKE_MODE=response_stream \
    VAR_DIR=/tmp/barb DATA_CACHE_DIR=/tmp/barb-cache NUMBA_CACHE_DIR=/tmp/numba-cache SAMPLE_DATA=false
CMD ["uvicorn", "functions.chat.app:app", "--host", "127.0.0.1", "--port", "8080"]

FROM public.ecr.aws/lambda/python:3.12 AS lambda-mangum
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/tmp/barb DATA_CACHE_DIR=/tmp/barb-cache NUMBA_CACHE_DIR=/tmp/numba-cache SAMPLE_DATA=false
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-deps --only-binary=:all: --target "${LAMBDA_TASK_ROOT}" -r /tmp/requirements.lock
COPY --from=wheel /wheels /wheels
RUN pip install --no-deps --target "${LAMBDA_TASK_ROOT}" /wheels/*.whl
CMD ["functions.instruments.handler.handler"]
