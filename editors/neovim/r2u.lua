-- r2u in neovim ≥ 0.7 without plugins: .r2u files get the `r2u` filetype and
-- the r2u language server (diagnostics, completion with <C-x><C-o>, hover
-- with K, go to definition, formatting, quick fixes, outline).
-- Use it with `nvim -u editors/neovim/r2u.lua`, or `luafile` it from your
-- init.lua. On neovim ≥ 0.11, `vim.lsp.config`/`vim.lsp.enable` do the same
-- in two lines (see the README).
local cmd = vim.g.r2u_lsp_cmd or { 'npx', '--no-install', 'r2u', 'lsp', '--stdio' }
local client_id -- one server for every .r2u buffer

vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
  pattern = '*.r2u',
  callback = function(args)
    vim.bo[args.buf].filetype = 'r2u'
    vim.bo[args.buf].commentstring = '// %s'
    vim.bo[args.buf].omnifunc = 'v:lua.vim.lsp.omnifunc'
    if not (client_id and vim.lsp.get_client_by_id(client_id)) then
      client_id = vim.lsp.start_client({ name = 'r2u', cmd = cmd, root_dir = vim.fn.getcwd() })
    end
    if client_id then vim.lsp.buf_attach_client(args.buf, client_id) end
    local map = function(lhs, rhs) vim.keymap.set('n', lhs, rhs, { buffer = args.buf }) end
    map('K', vim.lsp.buf.hover)
    map('gd', vim.lsp.buf.definition)
    map('<leader>f', function() vim.lsp.buf.formatting_sync() end)
    map('<leader>a', vim.lsp.buf.code_action)
  end,
})
