"""The simulator's template desk, marketing route and account signals (Meta's wire format).

- `POST /{version}/{waba_id}/message_templates` creates a template in one
  language: refused like Meta (400, error 100 with `error_subcode`,
  `error_user_title`, `error_user_msg`) for a bad name, a missing example, a
  body or button over its limits (bot/whatsapp/template_rules.py), or a name
  and language that already exist (2388024); else `{id, status: PENDING, category}`.
- `GET` on the same path lists them (`data`, `paging.cursors`, `paging.next`
  when `limit` cuts the list; `name=` filters).
- Once any template exists, a template send (on `/messages` or
  `/marketing_messages`) must name one APPROVED in that language: else 132001
  (missing), 132015 (paused) or 132016 (disabled), as Meta answers.
- `POST /{version}/{phone_number_id}/marketing_messages` takes the
  MarketingMessageRequestPayload (only its fields: `biz_opaque_callback_data`
  is refused with 100), answers 131050 for a user who stopped marketing and
  131049 for one over the marketing limit, and is otherwise a `/messages` send.
- Control (tests, demo): `POST /_sim/templates/approve` `{name?, language?,
  status?, reason?}` sets the status (default APPROVED; no name: every
  PENDING one) and posts the `message_template_status_update` webhook to the
  bot; `/_sim/templates/signal` `{field, value}` posts any account webhook
  (quality, account_update …); `/_sim/templates/marketing` `{wa_id, stopped?,
  limited?}` marks a user; `GET /_sim/templates/list` shows the desk.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from bot.dev.simulator import Simulator
from bot.whatsapp.template_rules import SUBCODE_EXISTS, problems

DESK_PART = "templates"
DEFAULT_WABA_ID = "102290129340398"
_MARKETING_FIELDS = frozenset({"messaging_product", "recipient_type", "to", "type", "template",
                               "product_policy", "message_activity_sharing"})
_SEND_REFUSALS = {"PAUSED": (132015, "Template is Paused"),
                  "DISABLED": (132016, "Template is disabled")}


@dataclass(slots=True)
class SimTemplate:
    """One template in one language at the simulated Meta."""

    id: str
    name: str
    language: str
    category: str
    components: list[dict[str, Any]]
    status: str = "PENDING"
    rejected_reason: str = "NONE"


@dataclass(slots=True)
class TemplateDesk:
    """The simulated WhatsApp Business Account's templates and marketing state."""

    sim: Simulator
    waba_id: str = DEFAULT_WABA_ID
    auto_approve: bool = False
    templates: dict[tuple[str, str], SimTemplate] = field(default_factory=dict)
    stopped_marketing: set[str] = field(default_factory=set)
    marketing_limited: set[str] = field(default_factory=set)
    marketing_sent: list[str] = field(default_factory=list)  # wamids sent on that route
    webhooks_posted: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1689556908129832))

    # ---------------------------------------------------------------- Python control

    async def set_status(self, name: str | None = None, language: str | None = None,
                         status: str = "APPROVED", reason: str | None = None) -> int:
        """Review templates (all PENDING ones when `name` is None); post each webhook."""
        chosen = [t for t in self.templates.values()
                  if (name is None and t.status == "PENDING")
                  or (name is not None and t.name == name
                      and (language is None or t.language == language))]
        for t in chosen:
            t.status = status.upper()
            t.rejected_reason = reason or "NONE"
            value: dict[str, Any] = {
                "event": t.status, "message_template_id": int(t.id),
                "message_template_name": t.name, "message_template_language": t.language,
                "reason": t.rejected_reason, "message_template_category": t.category}
            if reason:
                value["rejection_info"] = {"reason": reason, "recommendation": "Edit and resubmit."}
            await self.post_signal("message_template_status_update", value)
        return len(chosen)

    async def post_signal(self, field_name: str, value: dict[str, Any]) -> int:
        """POST a non-message webhook (field and value as Meta sends them) to the bot."""
        envelope = {"object": "whatsapp_business_account", "entry": [{
            "id": self.waba_id, "time": 1751247548,
            "changes": [{"value": value, "field": field_name}]}]}
        self.webhooks_posted.append(envelope)
        if not self.sim.webhook_url:
            return 0
        return await self.sim.post_webhook(envelope)

    # ---------------------------------------------------------------- the API

    def _authorised(self, request: web.Request) -> bool:
        auth = request.headers.get("Authorization", "")
        return secrets.compare_digest(auth.encode(), f"Bearer {self.sim.access_token}".encode())

    async def handle_templates(self, request: web.Request) -> web.Response:
        """`GET|POST /{version}/{waba_id}/message_templates`."""
        if not self._authorised(request):
            return _error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if request.match_info["waba_id"] != self.waba_id:
            return _error(400, 100, "Unsupported post request. Object with ID "
                          f"'{request.match_info['waba_id']}' does not exist")
        if request.method == "GET":
            return self._list(request)
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            return _error(400, 100, "Invalid parameter", user_msg="body is not JSON")
        wrong = problems(body)
        if wrong:
            title = ("Missing Sample Parameter Values" if "ample" in wrong[0].message
                     else "Invalid parameter")
            return _error(400, 100, "Invalid parameter", subcode=wrong[0].subcode,
                          user_title=title, user_msg=wrong[0].message)
        key = (str(body["name"]), str(body["language"]))
        if key in self.templates:
            return _error(400, 100, "Invalid parameter", subcode=SUBCODE_EXISTS,
                          user_title="Content in this language already exists",
                          user_msg=f"{key[0]} already has content in {key[1]}")
        t = SimTemplate(str(next(self._ids)), key[0], key[1], str(body["category"]),
                        list(body["components"]))
        self.templates[key] = t
        if self.auto_approve:
            t.status = "APPROVED"
        return web.json_response({"id": t.id, "status": t.status, "category": t.category})

    def _list(self, request: web.Request) -> web.Response:
        items = [t for t in self.templates.values()
                 if "name" not in request.query or t.name == request.query["name"]]
        try:
            limit = max(1, min(int(request.query.get("limit", "25")), 1000))
            start = int(request.query.get("after", "0"))
        except ValueError:
            return _error(400, 100, "Invalid parameter", user_msg="limit and after are numbers")
        page = items[start:start + limit]
        data = [{"id": t.id, "name": t.name, "language": t.language, "status": t.status,
                 "category": t.category, "components": t.components,
                 **({"rejected_reason": t.rejected_reason} if t.status == "REJECTED" else {})}
                for t in page]
        paging: dict[str, Any] = {"cursors": {"before": str(start),
                                              "after": str(start + len(page))}}
        if start + limit < len(items):
            paging["next"] = str(request.url.update_query({"after": str(start + limit),
                                                           "limit": str(limit)}))
        return web.json_response({"data": data, "paging": paging})

    def check_send(self, payload: dict[str, Any]) -> web.Response | None:
        """Refuse a template send Meta would refuse (only once templates exist here)."""
        if payload.get("type") != "template" or not self.templates:
            return None
        template = payload.get("template") or {}
        language = (template.get("language") or {}).get("code")
        found = self.templates.get((str(template.get("name")), str(language)))
        if found is None or found.status in ("PENDING", "REJECTED"):
            return _error(400, 132001, "(#132001) Template name does not exist in the "
                          "translation", user_msg=f"template name ({template.get('name')}) does "
                          f"not exist in {language}")
        if found.status in _SEND_REFUSALS:
            code, title = _SEND_REFUSALS[found.status]
            return _error(400, code, title)
        return None

    async def handle_marketing(self, request: web.Request) -> web.Response:
        """`POST /{version}/{phone_number_id}/marketing_messages`."""
        try:
            payload = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            return _error(400, 100, "Invalid parameter", user_msg="body is not JSON")
        if not isinstance(payload, dict) or payload.get("type") != "template":
            return _error(400, 100, "Invalid parameter",
                          user_msg="marketing messages must be templates")
        extra = sorted(set(payload) - _MARKETING_FIELDS)
        if extra:
            return _error(400, 100, "Invalid parameter",
                          user_msg=f"unexpected fields: {', '.join(extra)}")
        to = str(payload.get("to", ""))
        if self._authorised(request):
            if to in self.stopped_marketing:
                return _error(400, 131050, "Unable to deliver the message. This recipient has "
                              "chosen to stop receiving marketing messages on WhatsApp from "
                              "your business")
            if to in self.marketing_limited:
                return _error(400, 131049, "This message was not delivered to maintain healthy "
                              "ecosystem engagement.")
        answer = await self.sim.handle_messages(request)
        if answer.status == 200:
            self.marketing_sent.append(orjson.loads(answer.body)["messages"][0]["id"])  # type: ignore[arg-type]
        return answer

    async def handle_control(self, request: web.Request) -> web.Response:
        """`/_sim/templates/{action}`."""
        action = request.match_info["action"]
        data: dict[str, Any] = {}
        if request.method == "POST" and request.can_read_body:
            try:
                data = orjson.loads(await request.read()) or {}
            except orjson.JSONDecodeError:
                return web.json_response({"error": "body is not JSON"}, status=400)
        try:
            if action == "list":
                return web.json_response([
                    {"name": t.name, "language": t.language, "status": t.status,
                     "category": t.category} for t in self.templates.values()])
            if action in ("approve", "reject", "pause", "disable"):
                status = {"approve": "APPROVED", "reject": "REJECTED", "pause": "PAUSED",
                          "disable": "DISABLED"}[action]
                n = await self.set_status(data.get("name"), data.get("language"),
                                          str(data.get("status", status)), data.get("reason"))
                return web.json_response({"changed": n})
            if action == "signal":
                code = await self.post_signal(str(data["field"]), dict(data["value"]))
                return web.json_response({"webhook_status": code})
            if action == "marketing":
                wa_id = str(data["wa_id"])
                for flag, group in (("stopped", self.stopped_marketing),
                                    ("limited", self.marketing_limited)):
                    if flag in data:
                        (group.add if data[flag] else group.discard)(wa_id)
                return web.json_response({"ok": True})
            if action == "auto":
                self.auto_approve = bool(data.get("approve", True))
                return web.json_response({"ok": True})
        except (KeyError, ValueError, TypeError, RuntimeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"error": f"unknown action {action}"}, status=404)


def _error(status: int, code: int, message: str, *, subcode: int | None = None,
           user_title: str | None = None, user_msg: str | None = None) -> web.Response:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": secrets.token_hex(8)}
    if subcode is not None:
        error["error_subcode"] = subcode
        error["is_transient"] = False
    if user_title:
        error["error_user_title"] = user_title
    if user_msg:
        error["error_user_msg"] = user_msg
        error["error_data"] = {"messaging_product": "whatsapp", "details": user_msg}
    return web.json_response({"error": error}, status=status)


def desk(sim: Simulator) -> TemplateDesk:
    """The template desk of a simulator (installed by `create_app`)."""
    found = sim.parts.get(DESK_PART)
    if not isinstance(found, TemplateDesk):
        found = TemplateDesk(sim)
        sim.parts[DESK_PART] = found
        sim.send_checks.append(found.check_send)
    return found


def install(app: web.Application, sim: Simulator) -> None:
    """Add the desk's routes to the simulator app."""
    d = desk(sim)
    app.router.add_route("*", "/{version}/{waba_id}/message_templates", d.handle_templates)
    app.router.add_post("/{version}/{phone_number_id}/marketing_messages", d.handle_marketing)
    app.router.add_route("*", "/_sim/templates/{action}", d.handle_control)
