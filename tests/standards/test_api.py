from __future__ import annotations

from typing import Any

from apps.standards import services
from apps.standards.models import StandardVersion
from tests.standards.data import SHIPPED_CODES


def test_every_shipped_standard_is_served_with_its_table_schema(cast: Any, standards: Any) -> None:
    client = cast.client_for("token_viewer")
    listing = client.get("/api/v1/standards/").json()
    assert {item["code"] for item in listing} == SHIPPED_CODES
    for item in listing:
        version = item["latest_version"]
        detail = client.get(f"/api/v1/standards/{item['code']}/versions/{version}/")
        assert detail.status_code == 200
        schema = client.get(f"/api/v1/standards/{item['code']}/versions/{version}/schema.json")
        assert schema.status_code == 200
        names = [f["name"] for f in schema.json()["fields"]]
        assert names == [f["name"] for f in detail.json()["fields"] if not f["definition"].get("derived")]


def test_texts_follow_lang_and_accept_language(cast: Any, standards: Any) -> None:
    client = cast.client_for("token_viewer")
    url = "/api/v1/standards/tomato-paste.exports/versions/1.0.0/"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="ru").json()["title"] == "Экспорт томатной пасты"
    assert client.get(url + "?lang=zh-hans").json()["title"] == "番茄酱出口"
    fields = client.get(url + "?lang=kk").json()["fields"]
    assert fields[0]["title"] == "Кезең"
    product = next(f for f in fields if f["name"] == "product")
    assert product["allowed_values"][0] == {"code": "hot-break-28-30", "label": "Ыстық ұсату 28–30 °Bx"}


def test_templates_download_as_attachments_with_etags(cast: Any, standards: Any) -> None:
    client = cast.client_for("token_contributor")
    base = "/api/v1/standards/tomato-paste.exports/versions/1.0.0/"
    xlsx = client.get(base + "template.xlsx?lang=uz")
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == 'attachment; filename="tomato-paste.exports-1.0.0-uz.xlsx"'
    assert xlsx.content[:2] == b"PK"
    csv = client.get(base + "template.csv?lang=ky")
    assert csv["Content-Type"].startswith("text/csv") and csv.content.startswith(b"\xef\xbb\xbf")
    again = client.get(base + "template.csv?lang=ky", HTTP_IF_NONE_MATCH=csv["ETag"])
    assert again.status_code == 304


def test_drafts_are_seen_by_stewards_only(cast: Any, standards: Any) -> None:
    base = StandardVersion.objects.get(standard__code="tomato-paste.exports", version="1.1.0")
    services.create_draft(actor=cast.steward, base=base)
    url = "/api/v1/standards/tomato-paste.exports/versions/draft/"
    assert cast.client_for("steward").get(url).status_code == 200
    for actor in ("a_admin", "a_viewer", "token_viewer"):
        assert cast.client_for(actor).get(url).status_code == 404, actor
    listing = cast.client_for("a_admin").get("/api/v1/standards/tomato-paste.exports/").json()
    assert [v["status"] for v in listing["versions"]] == ["published", "published"]


def test_unknown_standard_or_version_is_404(cast: Any, standards: Any) -> None:
    client = cast.client_for("a_viewer")
    assert client.get("/api/v1/standards/no.such/").status_code == 404
    assert client.get("/api/v1/standards/tomato-paste.exports/versions/9.9.9/").status_code == 404
    assert (
        client.get(
            "/api/v1/standards/tomato-paste.exports/versions/1.0.0/template.xlsx", HTTP_ACCEPT="*/*"
        ).status_code
        == 200
    )
