"""The submission pages as a member uses them: send a file, see its report in the reader's language,
download it, and find it again in the list."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.standards.models import StandardVersion
from apps.submissions.models import Submission
from tests.submissions.data import (
    EN_HEADERS,
    RU_ROWS_WITH_BRIX,
    RU_TITLES_WITH_BRIX,
    csv_bytes,
    distinct_rows,
)

LINK = re.compile(r'href="/submissions/[0-9a-f-]{36}/"')


def reading_russian(cast: Any, *roles: str) -> None:
    for role in roles:
        person = cast.person("a", role)
        person.preferred_language = "ru"
        person.save(update_fields=["preferred_language"])


def send_page(client: Any, cast: Any, tomato: StandardVersion, content: bytes, name: str) -> Any:
    return client.post(
        "/submissions/",
        {
            "organization": str(cast.org_a.pk),
            "version": str(tomato.pk),
            "period": "2026-09",
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
        follow=True,
    )


def test_a_broken_file_sent_on_the_page_shows_its_report_in_russian(
    cast: Any, tomato: StandardVersion, rates: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [list(RU_ROWS_WITH_BRIX[0]), list(RU_ROWS_WITH_BRIX[1])]
    rows[0][7] = "много"
    rows[1][0] = "01.08.2026"
    reading_russian(cast, "contributor")
    client = cast.client_for("a_contributor")
    with django_capture_on_commit_callbacks(execute=True):
        response = send_page(
            client,
            cast,
            tomato,
            csv_bytes(RU_TITLES_WITH_BRIX, rows, delimiter=";", encoding="cp1251"),
            "выгрузка.csv",
        )
    submission = Submission.objects.get(organization=cast.org_a)
    assert response.redirect_chain[-1][0] == f"/submissions/{submission.pk}/"
    assert "Обработка: 0%" in response.content.decode()  # processing starts once the upload is committed
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "Отклонена" in page and "Данные не сохранены" in page
    assert "«много» не является числом" in page
    assert "01.08.2026" in page  # the period as the file wrote it

    report = client.get(f"/submissions/{submission.pk}/report.csv")
    assert report["Content-Disposition"].startswith("attachment")
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert [line[1:4] for line in lines[1:]] == [
        ["2", "Количество (т)", "много"],
        ["3", "Период", "01.08.2026"],
    ]


def test_the_list_shows_earlier_submissions_with_grouped_counts(
    cast: Any, tomato: StandardVersion, django_capture_on_commit_callbacks: Any
) -> None:
    reading_russian(cast, "viewer")
    client = cast.client_for("a_viewer")
    with django_capture_on_commit_callbacks(execute=True):
        cast_client = cast.client_for("a_contributor")
        send_page(cast_client, cast, tomato, csv_bytes(EN_HEADERS, distinct_rows(1200)), "big.csv")
    page = client.get("/submissions/").content.decode()
    assert "big.csv" in page and "Принята" in page
    assert "1\xa0200" in page  # the Russian thousands separator
    assert 'enctype="multipart/form-data"' not in page  # a viewer reads, and sends nothing


def test_older_submissions_are_reached_by_pages_and_filters(cast: Any, standards: Any) -> None:
    from django.core.management import call_command

    call_command("seed_demo_submissions", months=60, firms=["firm-a"], now=True, stdout=io.StringIO())
    client = cast.client_for("a_viewer")
    first = client.get("/submissions/").content.decode()
    assert len(LINK.findall(first)) == 50 and "page=2" in first
    second = client.get("/submissions/?page=2").content.decode()
    assert len(LINK.findall(second)) == 10 and "page=1" in second
    oldest = Submission.objects.order_by("created_at").first()
    assert oldest is not None and f"/submissions/{oldest.pk}/" in second

    rejected = client.get("/submissions/?status=rejected").content.decode()
    assert LINK.findall(rejected) == []
    by_standard = client.get("/submissions/?standard=tomato-paste.exports&status=accepted").content.decode()
    assert (
        "page=2" in by_standard
        and "standard=tomato-paste.exports&amp;status=accepted&amp;page=2" in by_standard
    )


def test_the_list_keeps_its_queries_when_submissions_grow(
    cast: Any, standards: Any, django_assert_max_num_queries: Any
) -> None:
    from django.core.management import call_command

    call_command("seed_demo_submissions", months=3, firms=["firm-a"], now=True, stdout=io.StringIO())
    client = cast.client_for("a_viewer")
    client.get("/submissions/")
    with django_assert_max_num_queries(12) as few:
        client.get("/submissions/")
    call_command("seed_demo_submissions", months=30, firms=["firm-a"], now=True, stdout=io.StringIO())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/submissions/")


def test_kazakh_readers_see_dates_as_written_in_kazakhstan(
    cast: Any, tomato: StandardVersion, django_capture_on_commit_callbacks: Any
) -> None:
    reader = cast.person("a", "viewer")
    reader.preferred_language = "kk"
    reader.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        send_page(
            cast.client_for("a_contributor"), cast, tomato, csv_bytes(EN_HEADERS, distinct_rows(2)), "a.csv"
        )
    sent = timezone.localtime(Submission.objects.get().created_at)
    page = cast.client_for("a_viewer").get("/submissions/").content.decode()
    assert sent.strftime("%d.%m.%Y %H:%M") in page
    assert sent.strftime("%m/%d/%Y") not in page
