from pathlib import Path


def stored_files(root: Path) -> list[str]:
    """Every file under ``root`` (the test's MEDIA_ROOT), relative paths, sorted."""
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
