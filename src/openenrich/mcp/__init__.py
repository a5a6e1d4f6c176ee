"""`openenrich mcp`: the API as MCP tools, over the SDK (stdio, or streamable HTTP)."""
