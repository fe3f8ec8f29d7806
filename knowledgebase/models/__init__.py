"""Knowledge base models: categories, FAQ entries with revisions, synonyms, produce prices."""

from knowledgebase.models.category import Category
from knowledgebase.models.faq import LANGUAGES, TRANSLATION_LANGUAGES, FAQEntry, FAQRevision, Synonym
from knowledgebase.models.prices import ProducePrice
from knowledgebase.models.search_log import SearchLog, SearchQueryVector
from knowledgebase.models.semantic import FAQPhrasing, FAQVector, VectorVersion

__all__ = [
    "LANGUAGES",
    "TRANSLATION_LANGUAGES",
    "Category",
    "FAQEntry",
    "FAQPhrasing",
    "FAQRevision",
    "FAQVector",
    "ProducePrice",
    "SearchLog",
    "SearchQueryVector",
    "Synonym",
    "VectorVersion",
]
