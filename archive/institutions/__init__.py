"""The shared platform: institutions and their staff (their public pages are in ``public``)."""
