"""faqbot's engine: load a bilingual knowledge base and answer questions from it.

Pure library code: no Slack, terminal or database. Typical use::

    from faq import Assistant, load_knowledge
    reply = Assistant(load_knowledge("knowledge.yaml")).reply("Can I close my account?")
    reply.action, reply.entry_id, reply.text
"""

from faq.assistant import Assistant, decide
from faq.encoder import Encoder, UseEncoder
from faq.errors import KnowledgeError
from faq.knowledge_file import load_knowledge, parse_knowledge
from faq.model import Candidate, Entry, KnowledgeBase, Reply, Settings
from faq.retriever import Tuning

__all__ = [
    "Assistant", "Candidate", "Encoder", "Entry", "KnowledgeBase", "KnowledgeError", "Reply",
    "Settings", "Tuning", "UseEncoder", "decide", "load_knowledge", "parse_knowledge",
]
