"""`backup_site` and `restore_site`: the whole site out to one archive and back, all or nothing."""

import gzip
import io
import json
import tarfile

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.test import Client

from catalogue.models import Product, ProductImage
from certification.models import Certificate

from .factories import make_category, make_certified_product, make_image, make_link

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(db):
    """A small catalogue with a photo, a staff account in a group, and a page to compare."""
    product = make_certified_product(stars=4, category=make_category(), is_published=True)
    make_image(product=product)
    make_link(product=product)
    editor = User.objects.create_user("editor", "editor@example.invalid", "a-long-passphrase")
    editor.groups.add(Group.objects.create(name="Commune editors"))
    return product


def snapshot(product: Product, media_root) -> dict:
    """What a visitor and the database show: the pages, the rows, the media bytes."""
    for cache in caches.all():
        cache.clear()
    client = Client()
    return {
        "pages": [
            client.get(url).content
            for url in ["/", "/products/", product.get_absolute_url(), "/communes/"]
        ],
        "rows": sorted(
            (model.__name__, pk)
            for model in (Product, ProductImage, Certificate, User, Group)
            for pk in model.objects.values_list("pk", flat=True)
        ),
        "password": User.objects.get(username="editor").password,
        "groups": list(User.objects.get(username="editor").groups.values_list("name", flat=True)),
        "media": {
            path.relative_to(media_root).as_posix(): path.read_bytes()
            for path in media_root.rglob("*")
            if path.is_file()
        },
    }


def test_round_trip_gives_the_same_site(site, tmp_path, media_root):
    """Backup, empty the database and the media, restore: same pages, rows and files."""
    before = snapshot(site, media_root)
    assert before["media"] and site.name.encode() in before["pages"][2]
    archive = tmp_path / "site.tar.gz"
    call_command("backup_site", str(archive), stdout=io.StringIO())

    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(media_root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert not Product.objects.exists()

    out = io.StringIO()
    call_command("restore_site", str(archive), stdout=out)
    assert "Restored" in out.getvalue()
    assert snapshot(Product.objects.get(pk=site.pk), media_root) == before
    assert User.objects.get(username="editor").check_password("a-long-passphrase")


def test_the_archive_holds_the_data_and_every_media_file(site, tmp_path, media_root):
    archive = tmp_path / "site.tar.gz"
    call_command("backup_site", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
        data = json.load(tar.extractfile("data.json"))
    on_disk = {path.relative_to(media_root).as_posix() for path in media_root.rglob("*.*")}
    assert on_disk and {f"media/{name}" for name in on_disk} <= names
    assert {entry["name"] for entry in manifest["media"]} == on_disk
    models = {row["model"] for row in data}
    assert {"catalogue.product", "certification.certificate", "auth.user", "auth.group"} <= models
    assert not models & {"sessions.session", "axes.accessattempt", "axes.accesslog"}


def test_backup_never_overwrites(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    archive.write_bytes(b"precious")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_site", str(archive))
    assert archive.read_bytes() == b"precious"


def test_restore_refuses_a_database_with_data_unless_forced(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    call_command("backup_site", str(archive), stdout=io.StringIO())
    site.name = "Changed after the backup"
    site.save()
    with pytest.raises(CommandError, match="not empty.*--force"):
        call_command("restore_site", str(archive))
    assert Product.objects.get(pk=site.pk).name == "Changed after the backup"

    call_command("restore_site", str(archive), force=True, stdout=io.StringIO())
    assert Product.objects.get(pk=site.pk).name != "Changed after the backup"


def damaged_archives(good: bytes) -> dict[str, bytes]:
    """The same archive broken in several ways."""

    def rebuilt(change) -> bytes:
        out = io.BytesIO()
        with (
            tarfile.open(fileobj=io.BytesIO(good)) as source,
            tarfile.open(fileobj=out, mode="w:gz") as target,
        ):
            for member in source.getmembers():
                content = source.extractfile(member).read()
                for name, new in change(member.name, content):
                    info = tarfile.TarInfo(name)
                    info.size = len(new)
                    target.addfile(info, io.BytesIO(new))
        return out.getvalue()

    def flip_media(name, content):
        yield (
            name,
            (content[:-1] + bytes([content[-1] ^ 1]) if name.startswith("media/") else content),
        )

    return {
        "not an archive": b"PK\x03\x04 this is a zip, or anything else",
        "truncated": good[: len(good) // 2],
        "plain gzip": gzip.compress(b"[]"),
        "no manifest": rebuilt(lambda name, c: [] if name == "manifest.json" else [(name, c)]),
        "bad manifest": rebuilt(
            lambda name, c: [(name, b"{not json" if name == "manifest.json" else c)]
        ),
        "bad data": rebuilt(lambda name, c: [(name, b"{not json" if name == "data.json" else c)]),
        "media changed": rebuilt(flip_media),
        "media missing": rebuilt(lambda name, c: [] if name.startswith("media/") else [(name, c)]),
        "path escape": rebuilt(
            lambda name, c: (
                [(name, c)] + ([("media/../../evil.txt", b"x")] if name == "data.json" else [])
            )
        ),
    }


def test_a_damaged_archive_is_refused_and_changes_nothing(site, tmp_path):
    archive = tmp_path / "site.tar.gz"
    call_command("backup_site", str(archive), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)
    for kind, content in damaged_archives(archive.read_bytes()).items():
        broken = tmp_path / f"{kind}.tar.gz"
        broken.write_bytes(content)
        with pytest.raises(CommandError, match="not a backup|damaged|incomplete") as error:
            call_command("restore_site", str(broken))
        assert "Traceback" not in str(error.value), kind
        assert not Product.objects.exists(), kind
        assert not (tmp_path.parent / "evil.txt").exists()


def test_data_that_does_not_load_rolls_everything_back(site, tmp_path):
    """A row that breaks a constraint on load leaves the database as it was."""
    archive = tmp_path / "site.tar.gz"
    call_command("backup_site", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    data = json.loads(members["data.json"])
    for row in data:
        if row["model"] == "certification.certificate":
            row["fields"]["stars"] = 9  # outside 3–5: the database refuses it
    members["data.json"] = json.dumps(data).encode()
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(broken, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    rows_before = Product.objects.count(), Certificate.objects.count(), User.objects.count()
    with pytest.raises(CommandError, match="could not be loaded"):
        call_command("restore_site", str(broken), force=True)
    assert (
        Product.objects.count(),
        Certificate.objects.count(),
        User.objects.count(),
    ) == rows_before


def test_restore_of_a_missing_file_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore_site", str(tmp_path / "nothing.tar.gz"))
