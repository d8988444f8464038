"""The public stories service at /services/stories/: Voilà story apps, the gallery and static pages, no login."""
