"""The demo company on a live bench site: the main job (`python -m devkit.demo.site`, `scripts/demo.sh`)."""
