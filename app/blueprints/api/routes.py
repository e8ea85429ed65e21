"""POS API views: authenticate, validate, call one service, commit once, answer JSON."""

from flask import jsonify, request
from sqlalchemy.exc import IntegrityError

from app.blueprints.api import bp, results, schemas
from app.blueprints.api.openapi import DOCUMENT
from app.extensions import db
from app.services.accounts import apikeys
from app.services.points import issuing, purchases
from app.timeutil import utcnow
from app.transaction import committing

# domain error -> (status, error code, message template)
ERRORS = {
    schemas.BadRequest: (400, "invalid_json", "{exc}"),
    schemas.Invalid: (422, "validation_failed", "{exc}"),
    results.MemberNotFound: (404, "member_not_found", "no member with that member_no or phone"),
    purchases.OrderNotFound: (404, "order_not_found", "no order {exc}"),
    purchases.Conflict: (409, "idempotency_conflict", "{exc} was used before with another body"),
    purchases.RefundTooLarge: (
        422,
        "refund_too_large",
        "refunds would exceed what was paid: {exc} fen left to refund",
    ),
    purchases.UnknownStore: (422, "unknown_store", "no store has the code {exc}"),
    issuing.IssueCapReached: (
        422,
        "issue_cap_reached",
        "the brand's monthly points cap is reached: {exc}; nothing was recorded",
    ),
}


def error(status: int, code: str, message: str, headers: dict | None = None):
    """The API's error response."""
    return jsonify({"error": {"code": code, "message": message}}), status, headers or {}


def _domain_error(exc: Exception):
    db.session.rollback()  # release row locks now rather than at teardown
    status, code, template = next(ERRORS[kind] for kind in type(exc).__mro__ if kind in ERRORS)
    return error(status, code, template.format(exc=exc))


for _kind in ERRORS:
    bp.register_error_handler(_kind, _domain_error)


@bp.before_request
def authenticate():
    """Every endpoint but the OpenAPI document needs `Authorization: Bearer <key>`."""
    if request.endpoint == "api.openapi":
        return None
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and key.strip() and apikeys.is_live(db.session, key.strip()):
        return None
    return error(
        401,
        "unauthorized",
        "a valid API key is required: Authorization: Bearer <key>",
        {"WWW-Authenticate": 'Bearer realm="pos"'},
    )


def _exactly_once(record, raced, build):
    """Run a recording service and commit once; losing an insert race to a twin is a replay."""
    try:
        with committing():
            recorded = record()
            body = build(recorded)
        return body, 200 if recorded.replay else 201
    except IntegrityError:
        # A concurrent request committed the same key first: answer from what it wrote.
        recorded = raced()
        if recorded is None:
            raise
        return build(recorded), 200


@bp.post("/orders")
def create_order():
    """Record a paid order; the same order_no with the same body answers the first result."""
    now = utcnow()
    req = schemas.order(schemas.parse_object(request.get_data()), now)
    member = results.member_ref(db.session, member_no=req.member_no, phone=req.phone)
    fingerprint = purchases.body_hash(req.normalized(member.member_no))
    return _exactly_once(
        lambda: purchases.record_purchase(
            db.session,
            member,
            order_no=req.order_no,
            store_code=req.store_code,
            paid_fen=req.paid_fen,
            paid_at=req.paid_at,
            lines=req.lines,
            fingerprint=fingerprint,
            now=now,
        ),
        lambda: results.raced_order(db.session, req.order_no, fingerprint),
        lambda recorded: results.order(db.session, recorded.order, now),
    )


@bp.post("/orders/<order_no>/refunds", merge_slashes=False)
def create_refund(order_no: str):
    """Reverse the points of a refunded share; idempotent on refund_no."""
    now = utcnow()
    req = schemas.refund(schemas.parse_object(request.get_data()))
    if not schemas.is_text(order_no, schemas.LIMITS["order_no"]):
        raise purchases.OrderNotFound(order_no)  # it could never have been stored
    fingerprint = purchases.body_hash(req.normalized(order_no))
    return _exactly_once(
        lambda: purchases.refund(
            db.session,
            order_no=order_no,
            refund_no=req.refund_no,
            refund_fen=req.refund_fen,
            fingerprint=fingerprint,
            now=now,
        ),
        lambda: results.raced_refund(db.session, order_no, req.refund_no, fingerprint),
        lambda recorded: results.refund(db.session, recorded.order, req.refund_no, now),
    )


@bp.get("/members/<member_no>", merge_slashes=False)
def member(member_no: str):
    """A member's balance, tier, growth and soon-expiring points, by member number."""
    found = results.find_member(db.session, member_no=member_no)
    return results.member(db.session, found, utcnow())


@bp.get("/members")
def member_by_phone():
    """The same member card, looked up by ?phone=."""
    phone = schemas.phone_query(request.args.get("phone"))
    found = results.find_member(db.session, phone=phone)
    return results.member(db.session, found, utcnow())


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API (no key needed)."""
    return DOCUMENT
