"""Institutions sharing one installation: creating them, their staff, their collections."""

from __future__ import annotations

import sqlalchemy as sa

from archive.extensions import db
from archive.institutions.services import institution_ids_for
from archive.models import Collection, Institution, Membership, Role, User


def _institutions(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(sa.select(Institution.slug, Institution.name)).all())


def _memberships(app, email: str) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Institution.slug, Membership.role)
            .join(Membership, Membership.institution_id == Institution.id)
            .join(User, User.id == Membership.user_id).where(User.email == email))
        return {slug: role.value for slug, role in rows}


def test_institutions_are_created_and_listed_from_the_command_line(app, runner):
    made = runner.invoke(args=["institutions", "create", "calderbridge-library",
                               "--name", "Calderbridge Library",
                               "--name-cy", "Llyfrgell Calderbridge"])
    assert made.exit_code == 0, made.output
    runner.invoke(args=["institutions", "create", "coop-archive", "--name", "Co-op Archive"])

    listed = runner.invoke(args=["institutions", "list"])

    assert listed.exit_code == 0
    assert "calderbridge-library" in listed.output and "Co-op Archive" in listed.output
    assert _institutions(app) == {"calderbridge-library": "Calderbridge Library",
                                  "coop-archive": "Co-op Archive"}
    with app.app_context():
        library = db.session.scalar(sa.select(Institution).where(
            Institution.slug == "calderbridge-library"))
        assert library.display_name("cy") == "Llyfrgell Calderbridge"


def test_a_used_or_unusable_slug_is_refused_with_a_reason(app, runner):
    runner.invoke(args=["institutions", "create", "library", "--name", "Library"])

    again = runner.invoke(args=["institutions", "create", "library", "--name", "Other"])
    bad = runner.invoke(args=["institutions", "create", "Not A Slug", "--name", "Other"])

    assert again.exit_code == 1 and "exists already" in again.output
    assert bad.exit_code == 1 and "not a usable slug" in bad.output
    assert _institutions(app) == {"library": "Library"}


def test_staff_are_created_at_an_institution_and_granted_roles_at_others(app, runner):
    for slug in ("library", "society"):
        runner.invoke(args=["institutions", "create", slug, "--name", slug.title()])

    made = runner.invoke(args=["users", "create", "ada@example.org", "--role", "archivist",
                               "--institution", "library", "--password-stdin"],
                         input="a long enough password for ada\n")
    granted = runner.invoke(args=["users", "grant", "ada@example.org",
                                  "--institution", "society", "--role", "curator"])

    assert made.exit_code == 0, made.output
    assert granted.exit_code == 0, granted.output
    assert _memberships(app, "ada@example.org") == {"library": "archivist",
                                                    "society": "curator"}
    with app.app_context():
        ada = db.session.scalar(sa.select(User).where(User.email == "ada@example.org"))
        ids = dict(db.session.execute(sa.select(Institution.slug, Institution.id)).all())
        assert institution_ids_for(ada, Role.ARCHIVIST) == {ids["library"], ids["society"]}
        assert institution_ids_for(ada, Role.CURATOR) == {ids["society"]}


def test_with_several_institutions_staff_must_be_given_one(app, runner):
    for slug in ("library", "society"):
        runner.invoke(args=["institutions", "create", slug, "--name", slug.title()])

    result = runner.invoke(args=["users", "create", "bo@example.org", "--role", "curator",
                                 "--password-stdin"], input="a long enough password for bo\n")

    assert result.exit_code == 1 and "--institution" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "bo@example.org")) is None


def test_a_platform_administrator_belongs_to_no_institution(app, runner):
    runner.invoke(args=["institutions", "create", "library", "--name", "Library"])

    refused = runner.invoke(args=["users", "create", "root@example.org", "--role", "admin",
                                  "--institution", "library", "--password-stdin"],
                            input="a long enough password for root\n")
    made = runner.invoke(args=["users", "create", "root@example.org", "--role", "admin",
                               "--password-stdin"], input="a long enough password for root\n")

    assert refused.exit_code == 2 and "archivists and curators" in refused.output
    assert made.exit_code == 0, made.output
    assert _memberships(app, "root@example.org") == {}
    with app.app_context():
        root = db.session.scalar(sa.select(User).where(User.email == "root@example.org"))
        assert institution_ids_for(root) is None  # every institution


def test_a_single_archive_needs_no_institution_named(app, runner):
    made = runner.invoke(args=["users", "create", "cy@example.org", "--role", "archivist",
                               "--password-stdin"], input="a long enough password for cy\n")

    assert made.exit_code == 0, made.output
    # The installation's one institution is made from ARCHIVE_NAME when first needed.
    name = app.config["ARCHIVE_NAME"]
    assert list(_institutions(app).values()) == [name]
    assert list(_memberships(app, "cy@example.org").values()) == ["archivist"]


def _write_import(folder, rows: list[tuple[str, str]], make_image_file):
    image = make_image_file(name="photo.jpg")
    csv_path = folder / "metadata.csv"
    lines = ["identifier,title,image,collection"]
    lines += [f"{identifier},A photograph,{image.name},{collection}"
              for identifier, collection in rows]
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return csv_path, image.parent


def test_an_import_puts_new_collections_in_the_institution_named(app, runner, tmp_path,
                                                                 make_image_file):
    for slug in ("library", "society"):
        runner.invoke(args=["institutions", "create", slug, "--name", slug.title()])
    csv_path, images = _write_import(tmp_path, [("P-0001", "mills")], make_image_file)

    result = runner.invoke(args=["import", str(csv_path), "--images", str(images),
                                 "--institution", "society", "--workers", "1"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        owner = db.session.scalar(sa.select(Institution.slug).join(
            Collection, Collection.institution_id == Institution.id).where(
            Collection.slug == "mills"))
    assert owner == "society"


def test_an_import_may_not_reach_into_another_institutions_collection(app, runner, tmp_path,
                                                                      make_image_file):
    for slug in ("library", "society"):
        runner.invoke(args=["institutions", "create", slug, "--name", slug.title()])
    csv_path, images = _write_import(tmp_path, [("P-0001", "mills")], make_image_file)
    runner.invoke(args=["import", str(csv_path), "--images", str(images),
                        "--institution", "library", "--workers", "1"])
    csv_path, images = _write_import(tmp_path, [("P-0002", "mills")], make_image_file)

    result = runner.invoke(args=["import", str(csv_path), "--images", str(images),
                                 "--institution", "society", "--workers", "1"])

    assert result.exit_code == 1
    assert "belongs to another institution" in result.output
    with app.app_context():
        from archive.models import Item

        assert db.session.scalars(sa.select(Item.identifier)).all() == ["P-0001"]


def test_an_unknown_institution_is_refused_before_anything_is_read(runner, tmp_path,
                                                                   make_image_file):
    csv_path, images = _write_import(tmp_path, [("P-0001", "mills")], make_image_file)

    result = runner.invoke(args=["import", str(csv_path), "--images", str(images),
                                 "--institution", "nowhere"])

    assert result.exit_code == 1 and "no institution has the slug 'nowhere'" in result.output
