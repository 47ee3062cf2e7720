"""The simulator's media endpoints speak Meta's wire format, failures included."""

from __future__ import annotations

import hashlib

import aiohttp

from tests.channel.conftest import RunningSimulator
from tests.conftest import TEST_ACCESS_TOKEN

AUTH = {"Authorization": f"Bearer {TEST_ACCESS_TOKEN}"}
JPEG = b"\xff\xd8\xff\xe0" + bytes(100)


async def test_a_media_id_gives_a_url_and_the_files_facts(
        simulator: RunningSimulator, http: aiohttp.ClientSession) -> None:
    media_id = simulator.sim.media.add(JPEG, "image/jpeg")
    async with http.get(f"{simulator.api_url}/{media_id}", headers=AUTH) as resp:
        info = await resp.json()
    assert resp.status == 200
    assert {k: info[k] for k in ("id", "mime_type", "sha256", "file_size",
                                 "messaging_product")} == {
        "id": media_id, "mime_type": "image/jpeg", "sha256": hashlib.sha256(JPEG).hexdigest(),
        "file_size": str(len(JPEG)), "messaging_product": "whatsapp"}
    async with http.get(info["url"], headers=AUTH) as resp:
        assert resp.status == 200 and await resp.read() == JPEG


async def test_the_url_needs_the_bearer_token(
        simulator: RunningSimulator, http: aiohttp.ClientSession) -> None:
    media_id = simulator.sim.media.add(JPEG, "image/jpeg")
    async with http.get(f"{simulator.api_url}/{media_id}") as resp:
        assert resp.status == 401 and (await resp.json())["error"]["code"] == 190
    async with http.get(f"{simulator.api_url}/{media_id}", headers=AUTH) as resp:
        url = (await resp.json())["url"]
    async with http.get(url) as resp:
        assert resp.status == 401


async def test_the_url_expires(simulator: RunningSimulator, http: aiohttp.ClientSession) -> None:
    simulator.sim.media.url_ttl = -1
    media_id = simulator.sim.media.add(JPEG, "image/jpeg")
    async with http.get(f"{simulator.api_url}/{media_id}", headers=AUTH) as resp:
        url = (await resp.json())["url"]
    async with http.get(url, headers=AUTH) as resp:
        assert resp.status == 404


async def test_an_unknown_media_id_is_an_invalid_object(
        simulator: RunningSimulator, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{simulator.api_url}/999", headers=AUTH) as resp:
        assert resp.status == 400 and (await resp.json())["error"]["code"] == 100


async def test_a_message_naming_a_media_id_never_uploaded_is_refused(
        simulator: RunningSimulator, http: aiohttp.ClientSession) -> None:
    payload = {"messaging_product": "whatsapp", "to": "9779800000001", "type": "document",
               "document": {"id": "123", "filename": "x.pdf"}}
    async with http.post(f"{simulator.api_url}/{simulator.sim.phone_number_id}/messages",
                         json=payload, headers=AUTH) as resp:
        body = await resp.json()
    assert resp.status == 400 and body["error"]["code"] == 100
    assert simulator.sim.sent == []


async def test_an_upload_without_its_type_field_is_refused(
        simulator: RunningSimulator, http: aiohttp.ClientSession) -> None:
    form = aiohttp.FormData()
    form.add_field("messaging_product", "whatsapp")
    form.add_field("file", JPEG, filename="a.jpg", content_type="image/jpeg")
    async with http.post(f"{simulator.api_url}/{simulator.sim.phone_number_id}/media",
                         data=form, headers=AUTH) as resp:
        body = await resp.json()
    assert resp.status == 400 and body["error"]["code"] == 100


async def test_an_image_over_metas_limit_is_a_media_upload_error(
        simulator: RunningSimulator, http: aiohttp.ClientSession) -> None:
    big = b"\xff\xd8\xff" + bytes(5 * 1024 * 1024)
    form = aiohttp.FormData()
    form.add_field("messaging_product", "whatsapp")
    form.add_field("type", "image/jpeg")
    form.add_field("file", big, filename="a.jpg", content_type="image/jpeg")
    async with http.post(f"{simulator.api_url}/{simulator.sim.phone_number_id}/media",
                         data=form, headers=AUTH) as resp:
        body = await resp.json()
    assert resp.status == 400 and body["error"]["code"] == 131053
