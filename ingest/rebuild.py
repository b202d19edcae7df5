"""`--rebuild`: a new index built beside the one in use, which it replaces only once it is complete.

Nothing is deleted before the new index is whole: a rebuild that loads nothing, fails, or is interrupted leaves
the index as it was. A local index is built in a folder of its own inside the data folder, and the two folders
trade places; on a Chroma server the new collection is built under another name and takes the name over.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from chatbot.errors import IngestError, StoreUnavailable
from chatbot.settings import Settings
from chatbot.store.client import open_client, read_pages, unusable
from chatbot.store.database import forget_shared

log = logging.getLogger(__name__)

STAGE_PREFIX = ".rebuild-"  # in the data folder, while a rebuild is under way
REPLACED_PREFIX = ".replaced-"  # the index a rebuild replaced, until it is deleted


def check_loaded(found: int, loaded: int, failed: int) -> None:
    """Refuse a rebuild that would replace the index with less than the documents found."""
    if not loaded:
        raise IngestError("--rebuild stopped: no document could be loaded (see the warnings above), so the index was "
                          "left as it was. Check the paths, or RAG_CORPUS_DIR and the current folder, then try again.")
    if failed:
        raise IngestError(f"--rebuild stopped: {failed} of {found} documents could not be loaded (see the warnings "
                          "above), so the index was left as it was. Fix or remove them, then rebuild again.")


@contextlib.contextmanager
def staged(settings: Settings) -> Iterator[Settings]:
    """Settings for a new, empty index beside the current one; it replaces the current one when the block succeeds."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(settings)
    stage_dir = settings.data_dir / f"{STAGE_PREFIX}{os.getpid()}"
    stage = dataclasses.replace(settings, data_dir=stage_dir)
    if settings.chroma_url:
        stage = dataclasses.replace(stage, collection=f"{settings.collection}-rebuild-{os.getpid()}")
    try:
        yield stage
        if settings.chroma_url:
            _swap_collections(settings, stage)
        else:
            _swap_folders(settings, stage)
        log.info("the rebuilt index replaced the previous one")
    except BaseException:
        if settings.chroma_url:
            _drop_collection(stage)
        raise
    finally:
        shutil.rmtree(stage_dir, ignore_errors=True)


def _swap_folders(settings: Settings, stage: Settings) -> None:
    replaced = settings.data_dir / f"{REPLACED_PREFIX}{os.getpid()}"
    # Two renames, microseconds apart: a reader that opens the index between them is told to run the ingest.
    if settings.chroma_dir.exists():
        os.rename(settings.chroma_dir, replaced)
    try:
        os.rename(stage.chroma_dir, settings.chroma_dir)
    except OSError:  # a reader opened the index in between and made an empty one: set that aside as well
        os.rename(settings.chroma_dir, replaced.with_name(replaced.name + "-empty"))
        os.rename(stage.chroma_dir, settings.chroma_dir)
    os.replace(stage.record_db, settings.record_db)
    forget_shared()  # connections to the replaced records file would go on reading it
    _remove_leftovers(settings, stages=False)


def _swap_collections(settings: Settings, stage: Settings) -> None:
    from chromadb.errors import NotFoundError

    client = open_client(settings)
    replaced = f"{settings.collection}-replaced-{os.getpid()}"
    try:
        try:
            client.get_collection(settings.collection).modify(name=replaced)
        except NotFoundError:
            replaced = ""
        built = client.get_collection(stage.collection)
        built.modify(name=settings.collection)
        _record(settings, built, stage.data_dir / "records-final.sqlite")
        if replaced:
            client.delete_collection(replaced)
    except StoreUnavailable:
        raise
    except Exception as err:
        raise StoreUnavailable(unusable(settings, err)) from err
    finally:
        client.close()


def _record(settings: Settings, collection, path: Path) -> None:
    """Records of the renamed collection's chunks under its own name, replacing the record database."""
    from langchain_classic.indexes import SQLRecordManager

    from ingest.records import namespace

    records = SQLRecordManager(namespace(settings), db_url=f"sqlite:///{path}")
    try:
        records.create_schema()
        for page in read_pages(collection, ["metadatas"]):
            sources = [str((metadata or {}).get("source", "")) for metadata in page["metadatas"]]
            records.update(list(page["ids"]), group_ids=sources)
    finally:
        records.engine.dispose()
    os.replace(path, settings.record_db)
    forget_shared()


def _drop_collection(stage: Settings) -> None:
    with contextlib.suppress(Exception):  # a rebuild that failed on the server cannot always tidy up on it
        client = open_client(stage)
        try:
            client.delete_collection(stage.collection)
        finally:
            client.close()


def _remove_leftovers(settings: Settings, stages: bool = True) -> None:
    """Folders of rebuilds killed before they finished, and replaced indexes; they hold nothing the index needs."""
    for prefix in (STAGE_PREFIX, REPLACED_PREFIX) if stages else (REPLACED_PREFIX,):
        for path in settings.data_dir.glob(f"{prefix}*"):
            shutil.rmtree(path, ignore_errors=True)
