"""The simulator's media part: uploads, media ids and urls, media messages, as Meta does them.

Registered by `bot.dev.simulator` (the `media` field of `Simulator` and one
line in `create_app`). Like the Cloud API:
- `POST /{version}/{phone_number_id}/media` (multipart: `file` with its MIME
  type, `type`, `messaging_product=whatsapp`) answers `{"id": "<media id>"}`;
  a MIME type WhatsApp does not take, bytes that are not of their declared type
  or a file over the type's limit get 131053 (media upload error); a missing
  field gets 100; a wrong token 190.
- `GET /{version}/{media-id}` (bearer) answers `{url, mime_type, sha256 (hex),
  file_size, id, messaging_product}`; the url expires after `url_ttl` seconds
  and `GET url` needs the bearer token too (401 without, 404 once expired).
- a document/image/audio/video/sticker message must name a media id it knows
  (or a `link`), else 100.
- files a user sends are hosted with `add`, and `inbound_media` /
  `inbound_location` post the webhook WhatsApp would (sha256 there is base64,
  as in Meta's webhooks).
For tests: `fail_downloads(n)` (the next n downloads answer 500),
`fail_uploads(n, code)`, `corrupt(media_id)` (serve other bytes than the
sha256 says).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from bot.whatsapp.media_types import SUPPORTED, base_mime, content_matches, media_type

if TYPE_CHECKING:
    from bot.dev.simulator import Simulator

MEDIA_MESSAGE_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})
DOWNLOAD_PATH = "/whatsapp_business/attachments/"
CAPTION_MAX = 1024
# Meta takes documents up to 100 MB; the multipart envelope adds a little.
MAX_UPLOAD_REQUEST = 101 * 1024 * 1024


@dataclass(slots=True)
class HostedMedia:
    """One file the simulated Cloud API holds under a media id."""

    media_id: str
    data: bytes
    mime_type: str
    filename: str | None
    uploaded: bool  # by the business (an upload), else sent by a user

    @property
    def sha256_hex(self) -> str:
        """The hex digest `GET /{media-id}` reports."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def sha256_b64(self) -> str:
        """The base64 digest webhooks carry."""
        return base64.b64encode(hashlib.sha256(self.data).digest()).decode()


@dataclass(slots=True)
class SimMedia:
    """The media state of one simulated number."""

    url_ttl: float = 300.0
    files: dict[str, HostedMedia] = field(default_factory=dict)
    downloads: int = 0
    uploads: int = 0
    refused_uploads: list[str] = field(default_factory=list)
    _download_failures: int = 0
    _upload_failures: list[int | None] = field(default_factory=list)
    _corrupt: set[str] = field(default_factory=set)
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    _ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(4490709327384033))

    # ------------------------------------------------------------ control

    def add(self, data: bytes, mime_type: str, filename: str | None = None, *,
            uploaded: bool = False) -> str:
        """Host a file under a new media id (a user's photo, voice note, document)."""
        media_id = str(next(self._ids))
        self.files[media_id] = HostedMedia(media_id, data, mime_type, filename, uploaded)
        return media_id

    def get(self, media_id: str) -> HostedMedia | None:
        """The hosted file with that id."""
        return self.files.get(media_id)

    def fail_downloads(self, count: int = 1) -> None:
        """The next `count` downloads of a url answer 500."""
        self._download_failures += count

    def fail_uploads(self, count: int = 1, code: int | None = None) -> None:
        """The next `count` uploads fail: HTTP 500, or Graph error `code`."""
        self._upload_failures.extend([code] * count)

    def corrupt(self, media_id: str) -> None:
        """Serve bytes that do not match the file's sha256 (a damaged download)."""
        self._corrupt.add(media_id)

    def sent_bytes(self, payload: dict[str, Any]) -> bytes | None:
        """The bytes a sent media message named by id."""
        obj = payload.get(str(payload.get("type")))
        media_id = obj.get("id") if isinstance(obj, dict) else None
        hosted = self.files.get(str(media_id)) if media_id else None
        return hosted.data if hosted else None

    # ------------------------------------------------------------ urls

    def _sign(self, media_id: str, expires: int) -> str:
        return hmac.new(self._secret, f"{media_id}:{expires}".encode(), "sha256").hexdigest()

    def url_for(self, origin: str, media_id: str) -> str:
        """A download url for the file, valid `url_ttl` seconds."""
        expires = int(time.time() + self.url_ttl)
        return (f"{origin}{DOWNLOAD_PATH}?mid={media_id}&ext={expires}"
                f"&hash={self._sign(media_id, expires)}")

    def check_message(self, payload: Any) -> str | None:
        """What is wrong with a media message's media reference, or None."""
        if not isinstance(payload, dict) or payload.get("type") not in MEDIA_MESSAGE_TYPES:
            return None
        obj = payload.get(str(payload["type"]))
        if not isinstance(obj, dict):
            return None
        media_id = obj.get("id")
        if media_id is not None and str(media_id) not in self.files:
            return f"media id {media_id} does not exist (upload it first)"
        return None


def validate_media_object(kind: str, obj: dict[str, Any]) -> str | None:
    """The shape of a document/image/… object: an `id` or a `link`, a short caption."""
    has_id = isinstance(obj.get("id"), str) and bool(obj["id"])
    has_link = isinstance(obj.get("link"), str) and obj["link"].startswith(("http://", "https://"))
    if has_id == has_link:
        return f"{kind} needs exactly one of id or link"
    caption = obj.get("caption")
    if caption is not None:
        if kind in ("audio", "sticker"):
            return f"{kind} messages take no caption"
        if not isinstance(caption, str) or not 0 < len(caption) <= CAPTION_MAX:
            return f"caption limit: 1-{CAPTION_MAX} characters"
    filename = obj.get("filename")
    if filename is not None and (kind != "document" or not isinstance(filename, str)
                                 or not filename):
        return "filename is for documents only, 1 character or more"
    return None


# ---------------------------------------------------------------- the API


def _error(status: int, code: int, message: str, details: str | None = None) -> web.Response:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": secrets.token_hex(8)}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return web.json_response({"error": error}, status=status)


def _authorised(sim: Simulator, request: web.Request) -> bool:
    auth = request.headers.get("Authorization", "")
    return secrets.compare_digest(auth.encode(), f"Bearer {sim.access_token}".encode())


def _bad_token() -> web.Response:
    return _error(401, 190, "Invalid OAuth access token - Cannot parse access token")


def _upload_refused(media: SimMedia, details: str) -> web.Response:
    media.refused_uploads.append(details)
    return _error(400, 131053, "(#131053) Media upload error", details)


async def handle_upload(sim: Simulator, request: web.Request) -> web.Response:
    """`POST /{version}/{phone_number_id}/media`."""
    media = sim.media
    if not _authorised(sim, request):
        return _bad_token()
    if request.match_info["phone_number_id"] != sim.phone_number_id:
        return _error(400, 100, "Unsupported post request. Object with ID "
                      f"'{request.match_info['phone_number_id']}' does not exist")
    if not request.content_type.startswith("multipart/"):
        return _error(400, 100, "(#100) Invalid parameter", "upload must be multipart/form-data")
    fields: dict[str, str] = {}
    file_data: bytes | None = None
    file_type = ""
    filename: str | None = None
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):  # nested multipart: not Meta's shape
            continue
        if part.name == "file":
            file_data = bytes(await part.read())
            file_type = part.headers.get("Content-Type", "")
            filename = part.filename
        elif part.name:
            fields[part.name] = (await part.text())[:300]
    if fields.get("messaging_product") != "whatsapp":
        return _error(400, 100, "(#100) The parameter messaging_product is required.")
    if file_data is None:
        return _error(400, 100, "(#100) The parameter file is required.")
    if not fields.get("type"):
        return _error(400, 100, "(#100) The parameter type is required.")
    if media._upload_failures:
        code = media._upload_failures.pop(0)
        if code is None:
            return web.json_response({"error": {"message": "An unknown error has occurred.",
                                                "type": "OAuthException", "code": 1}}, status=500)
        return _error(400, code, "Error")
    declared = file_type or fields["type"]
    known = media_type(declared)
    if known is None or base_mime(fields["type"]) != base_mime(declared):
        return _upload_refused(media, "Param file must be a file with one of the following "
                               f"types: {', '.join(SUPPORTED)}. Received file of type "
                               f"'{declared}'.")
    if not content_matches(declared, file_data):
        return _upload_refused(media, f"The file's content is not of type '{declared}'.")
    if not file_data or len(file_data) > known.max_bytes:
        return _upload_refused(media, f"{known.kind} files must be 1-{known.max_bytes} bytes; "
                               f"got {len(file_data)}.")
    media.uploads += 1
    return web.json_response({"id": media.add(file_data, declared, filename, uploaded=True)})


async def handle_info(sim: Simulator, request: web.Request) -> web.Response:
    """`GET /{version}/{media-id}`: the url and the file's facts."""
    if not _authorised(sim, request):
        return _bad_token()
    media_id = request.match_info["media_id"]
    hosted = sim.media.get(media_id)
    wanted_number = request.query.get("phone_number_id")
    if hosted is None or (wanted_number and wanted_number != sim.phone_number_id):
        return _error(400, 100, f"Unsupported get request. Object with ID '{media_id}' does "
                      "not exist, cannot be loaded due to missing permissions, or does not "
                      "support this operation.")
    return web.json_response({
        "url": sim.media.url_for(str(request.url.origin()), media_id),
        "mime_type": hosted.mime_type,
        "sha256": hosted.sha256_hex,
        "file_size": str(len(hosted.data)),
        "id": media_id,
        "messaging_product": "whatsapp",
    })


async def handle_download(sim: Simulator, request: web.Request) -> web.Response:
    """`GET {url}`: the bytes, with the bearer token, before the url expires."""
    media = sim.media
    if not _authorised(sim, request):
        return _bad_token()
    media_id = request.query.get("mid", "")
    try:
        expires = int(request.query.get("ext", ""))
    except ValueError:
        return web.Response(status=404, text="Not found")
    good = hmac.compare_digest(request.query.get("hash", ""), media._sign(media_id, expires))
    hosted = media.get(media_id)
    if not good or hosted is None or time.time() > expires:
        return web.Response(status=404, text="URL expired or not found")
    media.downloads += 1
    if media._download_failures > 0:
        media._download_failures -= 1
        return web.Response(status=500, text="Internal Server Error")
    data = hosted.data
    if media_id in media._corrupt:
        data = bytes(b ^ 0x5A for b in data[:16]) + data[16:]
    return web.Response(body=data, content_type=base_mime(hosted.mime_type))


# ---------------------------------------------------------------- inbound


def media_envelope(
    sim: Simulator, wa_id: str, kind: str, hosted: HostedMedia, *, caption: str | None = None,
    voice: bool = False, name: str = "Test Shop",
) -> dict[str, Any]:
    """The webhook WhatsApp posts when `wa_id` sends a hosted file as `kind`."""
    obj: dict[str, Any] = {"mime_type": hosted.mime_type, "sha256": hosted.sha256_b64,
                           "id": hosted.media_id}
    if caption:
        obj["caption"] = caption
    if kind == "document" and hosted.filename:
        obj["filename"] = hosted.filename
    if kind == "audio":
        obj["voice"] = voice
    if kind == "sticker":
        obj["animated"] = False
    return sim.envelope({
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": sim.new_wamid(), "timestamp": str(int(time.time())),
                      "type": kind, kind: obj}],
    })


async def inbound_media(
    sim: Simulator, wa_id: str, kind: str, data: bytes, mime_type: str, *,
    caption: str | None = None, filename: str | None = None, voice: bool = False,
    name: str = "Test Shop",
) -> tuple[str, str]:
    """A user sends a file; returns (wamid, media id)."""
    media_id = sim.media.add(data, mime_type, filename)
    env = media_envelope(sim, wa_id, kind, sim.media.files[media_id], caption=caption,
                         voice=voice, name=name)
    status = await sim.post_webhook(env)
    if status != 200:
        raise RuntimeError(f"webhook answered {status}")
    return str(env["entry"][0]["changes"][0]["value"]["messages"][0]["id"]), media_id


def location_envelope(
    sim: Simulator, wa_id: str, latitude: float, longitude: float, *, place: str | None = None,
    address: str | None = None, name: str = "Test Shop",
) -> dict[str, Any]:
    """The webhook WhatsApp posts when `wa_id` shares a location."""
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if place:
        location["name"] = place
    if address:
        location["address"] = address
    return sim.envelope({
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": sim.new_wamid(), "timestamp": str(int(time.time())),
                      "type": "location", "location": location}],
    })


async def inbound_location(
    sim: Simulator, wa_id: str, latitude: float, longitude: float, *,
    place: str | None = None, address: str | None = None, name: str = "Test Shop",
) -> str:
    """A user shares a location; returns the wamid."""
    env = location_envelope(sim, wa_id, latitude, longitude, place=place, address=address,
                            name=name)
    status = await sim.post_webhook(env)
    if status != 200:
        raise RuntimeError(f"webhook answered {status}")
    return str(env["entry"][0]["changes"][0]["value"]["messages"][0]["id"])


CONTROL_ACTIONS = frozenset({"inbound_media", "inbound_location"})


async def control(sim: Simulator, action: str, data: dict[str, Any]) -> web.Response:
    """`POST /_sim/inbound_media` (`from`, `kind`, `mime_type`, `data_b64`, optional
    `caption`, `filename`, `voice`) and `POST /_sim/inbound_location` (`from`,
    `latitude`, `longitude`, optional `name`, `address`)."""
    if action == "inbound_media":
        kind = str(data.get("kind", "image"))
        if kind not in MEDIA_MESSAGE_TYPES:
            raise ValueError(f"kind must be one of {sorted(MEDIA_MESSAGE_TYPES)}")
        raw = base64.b64decode(str(data["data_b64"]), validate=True)
        wamid, media_id = await inbound_media(
            sim, str(data["from"]), kind, raw, str(data["mime_type"]),
            caption=data.get("caption") or None, filename=data.get("filename") or None,
            voice=bool(data.get("voice", False)))
        return web.json_response({"wamid": wamid, "media_id": media_id})
    wamid = await inbound_location(
        sim, str(data["from"]), float(data["latitude"]), float(data["longitude"]),
        place=data.get("name") or None, address=data.get("address") or None)
    return web.json_response({"wamid": wamid})


def register(app: web.Application, sim: Simulator) -> None:
    """Add the media routes to the simulator's app (after its own routes)."""

    async def upload(request: web.Request) -> web.Response:
        return await handle_upload(sim, request)

    async def info(request: web.Request) -> web.Response:
        return await handle_info(sim, request)

    async def download(request: web.Request) -> web.Response:
        return await handle_download(sim, request)

    app.router.add_post("/{version}/{phone_number_id}/media", upload)
    app.router.add_get(DOWNLOAD_PATH, download)
    app.router.add_get("/{version}/{media_id}", info)

