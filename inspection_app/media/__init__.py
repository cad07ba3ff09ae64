"""Evidence photos: ingest (verification, orientation, downscaling, thumbnails, metadata, hashes)
and content-addressed storage. Pure image work lives in ``ingest``; files in ``storage``."""

from ..fsutil import atomic_write
from .ingest import MAX_PIXELS, ingest_bytes, ingest_path
from .records import GPS, IngestedPhoto, PhotoMetadata, PhotoRejected, Rendition
from .storage import PhotoStore, StoredPhoto, photo_paths

__all__ = [
    "GPS", "MAX_PIXELS", "IngestedPhoto", "PhotoMetadata", "PhotoRejected", "Rendition",
    "ingest_bytes", "ingest_path", "PhotoStore", "StoredPhoto", "atomic_write", "photo_paths",
]
