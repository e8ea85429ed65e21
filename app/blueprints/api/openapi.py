"""The OpenAPI 3.1 description of the POS API, served at /api/v1/openapi.json."""

from app.blueprints.api.openapi_schemas import (
    ERROR_RESPONSES,
    SCHEMAS,
    error_refs,
    json_body,
    ref,
    text,
)


def _post(summary: str, body: str, result: str, first: str, errors: tuple) -> dict:
    return {
        "post": {
            "summary": summary,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref(body)}},
            },
            "responses": {
                "201": json_body(result, first),
                "200": json_body(result, "a replay of the same body: the first result"),
                **error_refs(*errors),
            },
        }
    }


ORDER_NO = {
    "name": "order_no",
    "in": "path",
    "required": True,
    "schema": text("order_no"),
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Points Mall POS API",
        "version": "1.0.0",
        "description": "Store systems report paid orders and refunds and look members up. "
        "Money is in integer fen, points are integers. Every error answers "
        '{"error": {"code", "message"}}.',
    },
    "servers": [{"url": "/"}],
    "security": [{"bearerAuth": []}],
    "paths": {
        "/api/v1/orders": _post(
            "Record a paid order and award its points exactly once",
            "Order",
            "OrderResult",
            "recorded and awarded",
            (400, 401, 404, 409, 413, 414, 422),
        ),
        "/api/v1/orders/{order_no}/refunds": {
            "parameters": [ORDER_NO],
            **_post(
                "Refund part or all of an order: its share of points is reversed",
                "Refund",
                "RefundResult",
                "recorded and reversed",
                (400, 401, 404, 409, 413, 414, 422),
            ),
        },
        "/api/v1/members/{member_no}": {
            "get": {
                "summary": "A member by member number",
                "parameters": [
                    {
                        "name": "member_no",
                        "in": "path",
                        "required": True,
                        "schema": text("member_no"),
                    }
                ],
                "responses": {
                    "200": json_body("Member", "the member"),
                    **error_refs(401, 404, 414),
                },
            }
        },
        "/api/v1/members": {
            "get": {
                "summary": "A member by mobile number",
                "parameters": [
                    {
                        "name": "phone",
                        "in": "query",
                        "required": True,
                        "schema": text("phone"),
                    }
                ],
                "responses": {
                    "200": json_body("Member", "the member"),
                    **error_refs(401, 404, 414, 422),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "the OpenAPI 3.1 document",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "a POS API key (flask apikeys create)",
            }
        },
        "schemas": SCHEMAS,
        "responses": {name: json_body("Error", text) for name, text in ERROR_RESPONSES.items()},
    },
}
