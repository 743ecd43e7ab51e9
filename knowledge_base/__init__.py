"""Suggestable answers (city FAQ and past cases), the retrieval that finds them for a ticket, and the unit
catalogue. Import from the submodules (`knowledge_base.kb.KnowledgeBase`, `knowledge_base.store.EntryIn`...):
this package file stays empty so that importing one part never loads another's libraries.
"""
