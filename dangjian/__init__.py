"""党建工作管理平台 (dangjian)."""

__version__ = "0.1.0"
