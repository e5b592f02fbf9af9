"""Operating a partnership's installation: backups and restores."""
