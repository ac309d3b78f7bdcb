# syntax=docker/dockerfile:1
# One image, three targets:
#   web            the container app (uvicorn: every function + the SPA), run behind Caddy
#   lambda-web     the same image with the Lambda Web Adapter, for the streaming chat function
#   lambda-mangum  the AWS Lambda Python base image with the Mangum handlers (buffered functions)

FROM node:20-bookworm-slim AS spa
WORKDIR /front
COPY front/package.json front/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY front/ ./
RUN npm run build

FROM python:3.11-slim-bookworm AS web
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var DATA_DIR=/app/data
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --no-deps -r requirements.lock
COPY pyproject.toml README.md server.py ./
COPY shared/ shared/
COPY functions/ functions/
COPY data_store/ data_store/
RUN pip install --no-cache-dir --no-deps . && useradd --create-home --uid 10001 barb && mkdir -p var data && chown barb var data
COPY --from=spa /front/dist front/dist
USER barb
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["barb", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]

FROM web AS lambda-web
COPY --from=public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1 /lambda-adapter /opt/extensions/lambda-adapter
ENV PORT=8080 AWS_LWA_READINESS_CHECK_PATH=/health

FROM public.ecr.aws/lambda/python:3.11 AS lambda-mangum
COPY requirements.lock ${LAMBDA_TASK_ROOT}/
RUN pip install --no-cache-dir --no-deps -r ${LAMBDA_TASK_ROOT}/requirements.lock --target ${LAMBDA_TASK_ROOT}
COPY shared/ ${LAMBDA_TASK_ROOT}/shared/
COPY functions/ ${LAMBDA_TASK_ROOT}/functions/
COPY data_store/ ${LAMBDA_TASK_ROOT}/data_store/
CMD ["functions.instruments.handler.handler"]
