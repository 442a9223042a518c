"""libcrm customer service: an HTTP JSON API and a page over the Python binding.

See docs/service.md."""
