"""Adapters that put agent frameworks' tools under a :class:`~blastshield.guard.Guard`.

langchain.py (LangChain ``BaseTool``) and openai_agents.py (OpenAI Agents SDK
``FunctionTool``). Each framework is imported only when its adapter is used; install
it with the matching extra (``blastshield[langchain]``, ``blastshield[openai-agents]``).
"""
