-- Commands of fichier.nvim (the work is in lua/fichier). Neovim 0.7+.
if vim.g.loaded_fichier then
  return
end
vim.g.loaded_fichier = true

local command = vim.api.nvim_create_user_command

command('FichierUpload', function(args)
  require('fichier').upload(args.args)
end, { nargs = '?', desc = 'Upload the current buffer to 1fichier (optional remote path or folder/)' })

command('FichierLink', function(args)
  require('fichier').link(args.args, args.bang)
end, { nargs = '?', bang = true, desc = "Put a file's 1fichier link in a register (! for a direct download link)" })

command('FichierLs', function(args)
  require('fichier').ls(args.args)
end, { nargs = '?', desc = 'List a 1fichier folder in a scratch buffer' })

command('FichierDownload', function(args)
  require('fichier').download(args.fargs[1], args.fargs[2], args.bang)
end, { nargs = '+', bang = true, complete = 'file', desc = 'Download a 1fichier file (path or URL) [to a local path]' })

command('FichierStop', function()
  require('fichier').stop()
end, { nargs = 0, desc = 'Stop the fichier co-process (it restarts on next use)' })

vim.api.nvim_create_autocmd('VimLeavePre', {
  group = vim.api.nvim_create_augroup('fichier', { clear = true }),
  callback = function()
    if package.loaded['fichier'] then
      require('fichier').stop()
    end
  end,
})
