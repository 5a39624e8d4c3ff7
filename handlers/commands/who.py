"""`/stage who …` (wie): a question about the cohort in plain words, answered with how it was understood
and the students it finds; a supervisor asks about their own students only."""

from __future__ import annotations

from bot.flows import export as export_flow
from bot.middleware import Scope
from bot.views import questions as views
from bot.views.blocks import Block
from handlers.commands.registry import Invocation, Reply, reply
from models import questions
from models.access import COHORT_READERS


def answer(scope: Scope, question: str, offset: int) -> tuple[list[Block], str]:
    """The blocks and fallback text of the answer to `question`, from `offset` on."""
    t = scope.t
    vocabulary = questions.vocabulary(scope.session)
    query = questions.parse(question, vocabulary)
    if isinstance(query, questions.Refusal):
        return views.refusal_blocks(t, query), t(f"questions.refused.{query.reason}")
    found = questions.answer(scope.session, export_flow.facts(scope.services, scope.actor, t), query)
    own = not scope.actor.has(*COHORT_READERS)
    understood = views.reading(t, query, vocabulary, own_students=own)
    blocks = views.answer_blocks(t, question, understood, found, max(0, offset), schools=query.schools)
    return blocks, understood


def run(invocation: Invocation) -> Reply:
    blocks, text = answer(invocation.scope, invocation.args, 0)
    return reply(blocks, text)
