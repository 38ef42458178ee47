"""The scholarly record: publications, research projects and patents of each expert.

``models`` holds the tables, ``operations`` the audited writes and the deduplicating
import, ``importers`` the file formats, ``graph_source`` what the expert graph reads
(co-authorship and joint-project edges, publication text for affinity), ``cv`` the
scientific CV, ``lookup`` the optional live DOI/ORCID lookup, ``api`` and ``views`` the
outside.
"""
