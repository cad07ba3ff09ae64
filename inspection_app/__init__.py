"""inspection-app: offline public-service inspection (kiểm tra công vụ)."""

__version__ = "0.1.0"
