"""The contract between Systraite's jurisdiction nodes and its national hub.

Plain Python, no Django: code lists, the aggregate table catalogue, the payload
schema, signing, pseudonymisation and disclosure control. Both node/ and hub/
import it; neither re-declares any of it.
"""
