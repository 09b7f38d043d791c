"""The action register: adopted and hand-made actions, their follow-up, exports and charts."""
