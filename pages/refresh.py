"""Data refresh (Technical Secretariat only): upload returns, read what is wrong, preview, publish, roll back."""

import streamlit as st

from dashboard import auth, components, data, navigation, refresh_flow
from dashboard.i18n import message_text, t
from dashboard.text import plain_text

navigation.enter_page()  # only ever run through app.py's navigation
user = auth.require_role(auth.SECRETARIAT)  # also a crafted URL: nobody else gets past this line
state = st.session_state
st.title(t("Data refresh"))
st.caption(
    t(
        "Upload the quarter's returns, read what the checks found, preview what would change, then publish. "
        "Every publish and roll-back is recorded with your name in the audit trail (Data status)."
    )
)
if done := state.pop("sp_refresh_done", None):
    st.success(done, icon=":material/check_circle:")
if touched := state.pop("sp_refresh_touched", None):
    # Who has reported in the periods the publish touched: the same table as the data status page and the CLI.
    version, pairs = touched
    reported = data.reporting_summary(version)
    reported = reported[[(s, p) in pairs for s, p in zip(reported["source"], reported["period"])]]
    if len(reported):
        st.markdown(t("**Who has reported, in the periods this refresh touched**"))
        components.table_with_downloads(reported, "who has reported")


def progress_bar(label: str):
    bar = st.progress(0.0, text=label)
    return lambda fraction, message: bar.progress(min(max(fraction, 0.0), 1.0), text=plain_text(message_text(message)))


def forget_batch() -> None:
    refresh_flow.discard(state.get("sp_refresh_checked"))  # the uploaded returns go with the batch
    for name in (
        "sp_refresh_checked",
        "sp_refresh_signature",
        "sp_refresh_preview",
        "sp_refresh_whole_periods",
        "sp_refresh_confirm_removals",
        "sp_refresh_removals",
    ):
        state.pop(name, None)
    state["sp_refresh_uploader"] = state.get("sp_refresh_uploader", 0) + 1  # a fresh, empty uploader
    data.versions.clear()
    data.refresh_log.clear()


key = refresh_flow.page_hash_key()
st.subheader(t("1. Upload the returns"))
if key.key is None:
    st.error(
        t(
            "No hash key is configured, so returns cannot be read here (identifiers must be pseudonymised with "
            "the deployment's secret key)."
        ),
        icon=":material/key_off:",
    )
    st.markdown(plain_text(message_text(key.note)))
    st.code(
        'python -c "import secrets; print(secrets.token_hex(32))" > ~/.config/sp-dashboard/hash_key', language="bash"
    )
    st.caption(
        t(
            "Or set SP_HASH_KEY / SP_HASH_KEY_FILE for the dashboard's process. A demonstration deployment with "
            "sample data only may set SP_ALLOW_DEMO_KEY=1 instead."
        )
    )
else:
    if key.demo:
        st.warning(key.note, icon=":material/science:")
    # No type= filter: the gate names a refused kind (.xlsm, .xls…) in the report instead of the browser hiding it.
    files = st.file_uploader(
        t("Returns (.xlsx, .csv or .parquet; several at once)"),
        accept_multiple_files=True,
        key=f"sp_refresh_files_{state.get('sp_refresh_uploader', 0)}",
    )
    if files:
        # Each upload has its own id: no need to read (or hash) national-size files again on every run of the page.
        signature = tuple((f.file_id, f.name, f.size) for f in files)
        if state.get("sp_refresh_signature") != signature:
            uploads = [(f.name, f.getvalue()) for f in files]
            refresh_flow.discard(state.get("sp_refresh_checked"))  # a new batch replaces the previous one
            with st.status(t("Checking {count} file(s)…", count=len(uploads)), expanded=True) as status:
                checked = refresh_flow.check_returns(
                    uploads, hash_key=key.key, progress=progress_bar(t("Reading the returns"))
                )
                status.update(label=t("Checks done"), state="complete" if checked.ok else "error", expanded=False)
            state.update(sp_refresh_checked=checked, sp_refresh_signature=signature)
            state.pop("sp_refresh_preview", None)
            state.pop("sp_refresh_removals", None)
    else:
        refresh_flow.discard(state.get("sp_refresh_checked"))  # the files were removed from the uploader
        for name in ("sp_refresh_checked", "sp_refresh_signature", "sp_refresh_preview", "sp_refresh_removals"):
            state.pop(name, None)

checked = state.get("sp_refresh_checked")
if checked is not None:
    st.subheader(t("2. What the checks found"))
    report = checked.report
    if checked.ok:
        st.success(
            t("These returns can be published.") + f" {message_text(report.summary())}.", icon=":material/check_circle:"
        )
    else:
        st.error(
            t(
                "Nothing can be published until the errors are fixed: correct the files (or send this report "
                "back to the ministry) and upload them again."
            )
            + f" {message_text(report.summary())}.",
            icon=":material/error:",
        )
    if report.issues:
        components.table_with_downloads(refresh_flow.report_table(report), "validation report")

    if checked.ok:
        st.subheader(t("3. Preview what would change"))
        st.caption(
            t(
                "Each return replaces only what it holds (for example its provinces or districts of a quarter); "
                "every other published row is kept."
            )
        )
        whole = st.checkbox(
            t(
                "Replace the whole of each period these returns hold (the ministry re-sent everything: "
                "published rows of those periods that the returns do not hold are removed)"
            ),
            key="sp_refresh_whole_periods",
            on_change=lambda: [state.pop(name, None) for name in ("sp_refresh_preview", "sp_refresh_confirm_removals")],
        )
        if st.button(t("Preview the changes"), icon=":material/preview:"):
            with st.spinner(t("Computing the indicators with these returns…")):
                try:
                    state["sp_refresh_preview"] = (
                        refresh_flow.table_changes(checked, replace_whole_periods=whole),
                        refresh_flow.indicator_preview(checked, hash_key=key.key, replace_whole_periods=whole),
                        None,
                        refresh_flow.replaced_rows(checked, replace_whole_periods=whole),
                    )
                except refresh_flow.MergeConflict as conflict:
                    state["sp_refresh_preview"] = (None, None, [i.message for i in conflict.issues], None)
        if (shown := state.get("sp_refresh_preview")) is not None:
            tables, cells, conflicts, replaced = shown
            if conflicts:
                for message in conflicts:
                    st.error(plain_text(message_text(message)))
            else:
                st.markdown(t("**Tables**"))
                components.table_with_downloads(tables, "tables changed")
                if len(replaced):
                    with st.expander(
                        t("Published rows replaced, by period and province ({count})", count=len(replaced))
                    ):
                        components.table_with_downloads(replaced, "rows replaced by period and province")
                summary = refresh_flow.indicator_summary(cells, data.catalogue(data.current_version() or ""))
                st.markdown(
                    t("**Indicators that move: {count}** ({cells} cells)", count=len(summary), cells=len(cells))
                )
                if len(summary):
                    components.table_with_downloads(summary, "indicators changed")
                    with st.expander(t("Every cell that moves")):
                        components.table_with_downloads(cells, "indicator cells changed")

        st.subheader(t("4. Publish"))
        st.caption(
            t(
                "A new version is written and made current; you ({name}) are recorded as the operator.",
                name=plain_text(user.username),
            )
        )
        if state.get("sp_refresh_removals", (None,))[0] != whole:  # once per batch and choice, not on every run
            try:
                state["sp_refresh_removals"] = (whole, refresh_flow.removals(checked, replace_whole_periods=whole))
            except refresh_flow.MergeConflict:
                state["sp_refresh_removals"] = (whole, None)  # the publish refuses it and says why
        removed = state["sp_refresh_removals"][1]
        confirmed = True
        if removed is not None and len(removed):
            st.warning(
                t(
                    "Publishing would **remove {rows} published row(s)** that these returns do not hold, by "
                    "source, period and province:",
                    rows=f"{int(removed['rows'].sum()):,}",
                ),
                icon=":material/delete_forever:",
            )
            components.table_with_downloads(removed, "rows that would be removed")
            confirmed = st.checkbox(
                t("Remove these {rows} row(s) when publishing", rows=f"{int(removed['rows'].sum()):,}"),
                key="sp_refresh_confirm_removals",
            )
        if st.button(t("Publish as a new version"), type="primary", icon=":material/publish:", disabled=not confirmed):
            with st.status(t("Publishing…"), expanded=True) as status:
                try:
                    result = refresh_flow.publish(
                        checked,
                        operator=user.username,
                        hash_key=key.key,
                        progress=progress_bar(t("Publishing")),
                        replace_whole_periods=whole,
                        confirm_removals=removed is not None and bool(len(removed)) and confirmed,
                    )
                except refresh_flow.WarehouseError as error:
                    status.update(label=t("Not published"), state="error")
                    st.error(plain_text(message_text(str(error))))
                    st.stop()
                status.update(
                    label=t("Published") if result.published else t("Rejected"),
                    state="complete" if result.published else "error",
                )
            if result.published:
                forget_batch()
                previous = result.previous_version or t("none")
                state["sp_refresh_done"] = t(
                    "Published {version} (previous: {previous}) in {seconds} s.",
                    version=result.version,
                    previous=previous,
                    seconds=f"{result.duration_s:.1f}",
                )
                state["sp_refresh_touched"] = (
                    result.version,
                    {(c["table"], p) for c in result.changes for p in c["periods_replaced"] + c["periods_added"]},
                )
                st.rerun()
            st.error(t("Rejected: nothing was published."))
            components.table_with_downloads(refresh_flow.report_table(result.report), "publish report")

st.subheader(t("Versions"))
data.versions.clear()
versions = data.versions()
if versions.empty:
    st.info(t("No version has been published yet."))
else:
    components.table_with_downloads(
        versions.assign(current=versions["current"].map({True: t("✔ current"), False: ""})), "versions"
    )
    earlier = [v for v, current in zip(versions["version"], versions["current"]) if not current]
    if earlier:
        chosen = st.selectbox(t("Make an earlier version current again"), earlier, key="sp_rollback_choice")
        pending = state.get("sp_rollback_pending")
        if pending is None:
            if st.button(t("Roll back to {version}…", version=chosen), icon=":material/history:"):
                state["sp_rollback_pending"] = chosen
                st.rerun()
        else:
            current = data.current_version()
            st.warning(
                t(
                    "Make **{pending}** current again? Everyone will see {pending} instead of {current}; "
                    "{current} is kept and can be made current again.",
                    pending=pending,
                    current=current,
                ),
                icon=":material/warning:",
            )
            answers = st.container(horizontal=True)  # buttons as wide as their words, never cut
            yes = no = answers
            if yes.button(t("Yes, roll back to {version}", version=pending), type="primary"):
                state.pop("sp_rollback_pending", None)
                try:
                    previous = refresh_flow.rollback(pending, operator=user.username)
                except refresh_flow.WarehouseError as error:
                    st.error(plain_text(message_text(str(error))))
                    st.stop()
                forget_batch()
                state["sp_refresh_done"] = t(
                    "{pending} is current again (was {previous}).", pending=pending, previous=previous
                )
                st.rerun()
            if no.button(t("Cancel")):
                state.pop("sp_rollback_pending", None)
                st.rerun()
