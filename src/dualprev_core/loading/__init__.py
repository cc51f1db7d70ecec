"""Reading files into the model: the enterprise file, its schema, YAML with line numbers."""

from dualprev_core.loading.enterprise import load_enterprise, parse_enterprise

__all__ = ["load_enterprise", "parse_enterprise"]
