"""Clients and locations: the brands a study measures and their locations (name, city, address,
region, code); add, edit, archive, and load locations from a CSV or XLSX file, all rows or none.

Managers and admins (journeys.accounts.access.STUDY_PLANNERS): the services behind it check the
same set. An archived brand or location keeps its contacts and figures but is offered in no new
contact (journeys.catalogue.clients)."""

from dataclasses import asdict

import streamlit as st

from data.db import read_scope
from journeys.catalogue import clients
from journeys.interchange import location_file
from journeys.interchange.location_file import import_location_upload
from journeys.language import _, ngettext, number
from ui.actions import run_action, show_notice
from ui.clients import brands_table, location_fields, locations_table, plain_name, run_import
from ui.resources import get_engine
from ui.session import require_page

user = require_page(__file__)
engine = get_engine()
BRAND_KEY = "clients_brand"  # the chosen brand's id
NEW_BRAND_KEY = "clients_new_brand"  # a brand just added: chosen on the next run
UPLOAD_ROUND_KEY = "clients_upload_round"  # a new uploader after each import, so the file is not imported twice

st.title(_("Clients and locations"), anchor=False)
st.caption(_("Archived brands and locations keep their contacts and figures; they are not offered for new contacts."))
show_notice()

with read_scope(engine) as session:
    brands = clients.brands_frame(session=session, actor=user)

st.subheader(_("Brands"), anchor=False)
if brands.empty:
    st.info(_("No brands yet: add the first one below."))
else:
    brands_table(brands)


def remember_brand(brand) -> None:
    st.session_state[NEW_BRAND_KEY] = brand.id


with st.expander(_("Add a brand"), expanded=brands.empty), st.form("clients_add_brand", clear_on_submit=True):
    brand_name = st.text_input(_("Brand name"), key="clients_add_brand_name",
                               max_chars=clients.BRAND_LENGTHS["name"])
    brand_sector = st.text_input(_("Sector"), key="clients_add_brand_sector",
                                 max_chars=clients.BRAND_LENGTHS["sector"])
    if st.form_submit_button(_("Add brand"), type="primary"):
        run_action(engine, lambda s: remember_brand(clients.create_brand(
            session=s, actor=user, name=brand_name, sector=brand_sector)),
            _("Added brand {name}.").format(name=plain_name(" ".join(brand_name.split()))))

if not brands.empty:
    by_id = {int(row.id): row for row in brands.itertuples()}
    if (new := st.session_state.pop(NEW_BRAND_KEY, None)) in by_id:
        st.session_state[BRAND_KEY] = new
    if st.session_state.get(BRAND_KEY) not in by_id:
        st.session_state.pop(BRAND_KEY, None)
    brand_id = st.selectbox(_("Brand"), list(by_id), key=BRAND_KEY,
                            format_func=lambda i: plain_name(by_id[i].name, by_id[i].archived))
    brand = by_id[brand_id]
    shown_name = plain_name(brand.name)

    with st.expander(_("Edit or archive this brand")):
        with st.form(f"clients_edit_brand_{brand_id}"):
            name = st.text_input(_("Brand name"), value=brand.name, key=f"clients_edit_brand_name_{brand_id}",
                                 max_chars=clients.BRAND_LENGTHS["name"])
            sector = st.text_input(_("Sector"), value=brand.sector, key=f"clients_edit_brand_sector_{brand_id}",
                                   max_chars=clients.BRAND_LENGTHS["sector"])
            if st.form_submit_button(_("Save brand")):
                run_action(engine, lambda s: clients.update_brand(session=s, actor=user, brand_id=brand_id,
                                                                  name=name, sector=sector),
                           _("Saved brand {name}.").format(name=plain_name(" ".join(name.split()))))
        if brand.archived:
            if st.button(_("Unarchive brand"), icon=":material/unarchive:", key="clients_unarchive_brand"):
                run_action(engine, lambda s: clients.set_brand_archived(session=s, actor=user, brand_id=brand_id,
                                                                        archived=False),
                           _("{name} is offered for new contacts again.").format(name=shown_name))
        elif st.button(_("Archive brand"), icon=":material/archive:", key="clients_archive_brand"):
            run_action(engine, lambda s: clients.set_brand_archived(session=s, actor=user, brand_id=brand_id,
                                                                    archived=True),
                       _("{name} is archived: kept with its contacts, not offered for new ones.").format(
                           name=shown_name))

    with read_scope(engine) as session:
        locations = clients.locations_frame(session=session, actor=user, brand_id=brand_id)
    st.subheader(_("Locations of {brand}").format(brand=shown_name), anchor=False)
    if locations.empty:
        st.info(_("This brand has no locations yet."))
    else:
        st.caption(ngettext("{n} location", "{n} locations", len(locations)).format(n=number(len(locations))))
        locations_table(locations)

    with st.expander(_("Add a location"), expanded=locations.empty), \
            st.form(f"clients_add_location_{brand_id}", clear_on_submit=True):
        typed = location_fields(f"clients_add_location_{brand_id}")
        if st.form_submit_button(_("Add location"), type="primary"):
            run_action(engine, lambda s: clients.create_location(session=s, actor=user, brand_id=brand_id,
                                                                 **asdict(typed)),
                       _("Added location {name} to {brand}.").format(
                           name=plain_name(" ".join(typed.name.split())), brand=shown_name))

    if not locations.empty:
        with st.expander(_("Edit or archive a location")):
            places = {int(row.id): row for row in locations.itertuples()}
            place_id = st.selectbox(_("Location to edit"), list(places), key=f"clients_location_{brand_id}",
                                    format_func=lambda i: plain_name(places[i].name, places[i].archived))
            place = places[place_id]
            stored = clients.LocationIn(place.name, place.city, place.address, place.region, place.external_code)
            with st.form(f"clients_edit_location_{place_id}"):
                edited = location_fields(f"clients_edit_location_{place_id}", stored)
                if st.form_submit_button(_("Save location")):
                    run_action(engine, lambda s: clients.update_location(session=s, actor=user, location_id=place_id,
                                                                         **asdict(edited)),
                               _("Saved location {name}.").format(name=plain_name(" ".join(edited.name.split()))))
            if place.archived:
                if st.button(_("Unarchive location"), icon=":material/unarchive:", key="clients_unarchive_location"):
                    run_action(engine, lambda s: clients.set_location_archived(
                        session=s, actor=user, location_id=place_id, archived=False),
                        _("{name} is offered for new contacts again.").format(name=plain_name(place.name)))
            elif st.button(_("Archive location"), icon=":material/archive:", key="clients_archive_location"):
                run_action(engine, lambda s: clients.set_location_archived(
                    session=s, actor=user, location_id=place_id, archived=True),
                    _("{name} is archived: kept with its contacts, not offered for new ones.").format(
                        name=plain_name(place.name)))

st.subheader(_("Load locations from a file"), anchor=False)
st.caption(_("Columns {required}, optionally {optional}. A row updates the brand's location with the same code, "
             "else the one with the same name. If any row is wrong nothing is imported and every bad row is listed.")
           .format(required=", ".join(f"`{c}`" for c in location_file.REQUIRED),
                   optional=", ".join(f"`{c}`" for c in location_file.COLUMNS if c not in location_file.REQUIRED)))
upload_round = st.session_state.get(UPLOAD_ROUND_KEY, 0)
upload = st.file_uploader(_("Upload locations (CSV or XLSX)"), type=["csv", "xlsx"],
                          key=f"clients_upload_{upload_round}")
ADD_BRANDS = _("Add the brands the file names that do not exist yet")
create_missing = st.checkbox(ADD_BRANDS, key="clients_create_missing")
if st.button(_("Import locations"), icon=":material/upload:", key="clients_import", disabled=upload is None):
    run_import(engine, lambda s: import_location_upload(session=s, actor=user, file_name=upload.name,
                                                        data=upload.getvalue(), create_missing=create_missing,
                                                        unknown_brand=_("unknown brand (tick '{option}' to add it)")
                                                        .format(option=ADD_BRANDS)),
               round_key=UPLOAD_ROUND_KEY)
