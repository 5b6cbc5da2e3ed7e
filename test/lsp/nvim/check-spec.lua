-- Neovim as the language client: starts `r2u lsp --stdio`, opens the spec
-- named by R2U_SPEC, waits for its diagnostics, asks for completion at
-- R2U_LINE:R2U_COL (0-based) and writes what it got to R2U_OUT as JSON.
local out = {}
local function finish()
  local f = io.open(vim.env.R2U_OUT, 'w')
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.R2U_SPEC))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'r2u',
    cmd = { vim.env.R2U_NODE, vim.env.R2U_BIN, 'lsp', '--stdio' },
    root_dir = vim.fn.getcwd(),
  })
  out.client = client_id ~= nil
  vim.lsp.buf_attach_client(buf, client_id)
  out.attached = vim.wait(10000, function() return #vim.diagnostic.get(buf) >= tonumber(vim.env.R2U_EXPECT) end, 20)
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    table.insert(out.diagnostics, { line = d.lnum, col = d.col, code = code, message = d.message, severity = d.severity })
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = tonumber(vim.env.R2U_LINE), character = tonumber(vim.env.R2U_COL) } }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, 10000) or {}
  out.completion = {}
  for _, r in pairs(responses) do
    local items = r.result and (r.result.items or r.result) or {}
    for _, item in ipairs(items) do table.insert(out.completion, item.label) end
  end
  local formatted = vim.lsp.buf_request_sync(buf, 'textDocument/formatting', { textDocument = params.textDocument, options = { tabSize = 2, insertSpaces = true } }, 10000) or {}
  out.formatting_edits = 0
  for _, r in pairs(formatted) do out.formatting_edits = out.formatting_edits + #(r.result or {}) end
end)
if not ok then out.error = tostring(err) end
finish()
