"""What the archive is published as: the Atom feed, notifications, evidence bundles, the HTML grid, the dataset export."""
