-- Headless test of fichier.nvim against `fichier serve --sandbox` (run by tests/run.sh):
--   nvim --headless -u NONE --cmd 'set rtp+=integrations/nvim' -c 'luafile integrations/nvim/tests/run.lua'
-- Environment: FICHIER_BIN (the binary), FICHIER_TEST_DIR (a scratch directory).
-- Exits 0 when every check passes, 1 otherwise (also on an unexpected error).

local failures, checks = 0, 0
local function log(text)
  io.stderr:write('nvim: ' .. text .. '\n')
end
local function check(what, condition, detail)
  checks = checks + 1
  if condition then
    log('ok: ' .. what)
  else
    failures = failures + 1
    log('FAIL: ' .. what .. (detail and (' — ' .. tostring(detail)) or ''))
  end
end

local function read_file(path)
  local handle = io.open(path, 'rb')
  if not handle then
    return nil
  end
  local data = handle:read('*a')
  handle:close()
  return data
end

local function write_file(path, data)
  local handle = assert(io.open(path, 'wb'))
  handle:write(data)
  handle:close()
end

local function run()
  local bin = assert(os.getenv('FICHIER_BIN'), 'FICHIER_BIN is not set')
  local dir = assert(os.getenv('FICHIER_TEST_DIR'), 'FICHIER_TEST_DIR is not set')
  local sandbox = dir .. '/sandbox'
  vim.cmd('runtime plugin/fichier.lua')
  check('the commands exist', vim.fn.exists(':FichierUpload') == 2 and vim.fn.exists(':FichierLs') == 2
    and vim.fn.exists(':FichierLink') == 2 and vim.fn.exists(':FichierDownload') == 2)

  local fichier = require('fichier')
  local results = {}
  local notified = {}
  vim.notify = function(message, level)
    table.insert(notified, { message = message, level = level })
  end
  fichier.setup({
    cmd = { bin, 'serve', '--sandbox', sandbox, '--debug-methods' },
    register = 'a',
    remote_dir = '/nvim',
    on_result = function(command, err, result)
      table.insert(results, { command = command, err = err, result = result })
    end,
  })

  -- Runs an Ex command and waits for the next result of the plugin.
  local function run_command(ex, timeout)
    local before = #results
    vim.cmd(ex)
    local arrived = vim.wait(timeout or 20000, function()
      return #results > before
    end, 20)
    if not arrived then
      return { err = { message = 'no result within the time limit' } }
    end
    return results[before + 1]
  end

  -- 1. A modified scratch buffer goes up as data (base64 in the request).
  vim.cmd('enew')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'hello from neovim', 'second line ✓' })
  local first = run_command('FichierUpload /nvim/notes.txt')
  check('upload of a buffer without a file', first.err == nil, first.err and first.err.message)
  local notes_url = first.result and first.result.url
  check('the upload answered a 1fichier URL', type(notes_url) == 'string' and notes_url:match('^https://1fichier%.com/%?') ~= nil, notes_url)
  check('the URL is in the register', vim.fn.getreg('a') == notes_url, vim.fn.getreg('a'))
  check('the buffer remembers its remote path', vim.b.fichier_remote == '/nvim/notes.txt', vim.b.fichier_remote)
  check('the size is the buffer text with its final newline', first.result and first.result.size == #'hello from neovim\nsecond line ✓\n')

  -- 2. A saved file goes up by path, with progress in the message area.
  local big = dir .. '/big file.bin'
  local chunk = string.rep('0123456789abcdef', 4096)
  local parts = {}
  for i = 1, 48 do
    parts[i] = chunk .. string.format('%08d', i)
  end
  write_file(big, table.concat(parts))
  local echoed = {}
  local real_echo = vim.api.nvim_echo
  vim.api.nvim_echo = function(chunks, history, opts)
    table.insert(echoed, chunks[1][1])
    return real_echo(chunks, history, opts)
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(big))
  local second = run_command('FichierUpload')
  vim.api.nvim_echo = real_echo
  check('upload of a saved file', second.err == nil, second.err and second.err.message)
  check('default remote path is remote_dir/name', second.result and second.result.path == '/nvim/big file.bin',
    second.result and second.result.path)
  check('the whole file went up', second.result and second.result.size == #read_file(big))
  local progress_lines = vim.tbl_filter(function(text)
    return text:match('%d+%%') ~= nil
  end, echoed)
  check('progress was shown in the message area', #progress_lines > 0, table.concat(echoed, ' | '))
  check('progress reached 100%', vim.tbl_contains(vim.tbl_map(function(text)
    return text:match('(%d+)%%')
  end, progress_lines), '100'), table.concat(progress_lines, ' | '))

  -- 3. Links: the page URL, and a direct URL that really serves the bytes.
  local link = run_command('FichierLink')
  check(':FichierLink of the buffer', link.err == nil and vim.fn.getreg('a') == second.result.url, vim.fn.getreg('a'))
  local direct = run_command('FichierLink! /nvim/notes.txt')
  local direct_url = vim.fn.getreg('a')
  check(':FichierLink! puts a direct URL in the register', direct.err == nil and direct_url:match('^http://127%.0%.0%.1:%d+/') ~= nil, direct_url)
  local fetched = vim.fn.system({ 'curl', '-sf', direct_url })
  check('the direct URL serves the content', vim.v.shell_error == 0 and fetched == 'hello from neovim\nsecond line ✓\n', fetched)

  -- 4. Listing in a scratch buffer, and <CR> into a sub-folder.
  vim.cmd('enew')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'inside' })
  run_command('FichierUpload /nvim/sub/inner.txt')
  local listing = run_command('FichierLs /nvim')
  check(':FichierLs', listing.err == nil, listing.err and listing.err.message)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  check('the scratch buffer is named fichier:///nvim', vim.api.nvim_buf_get_name(0):match('fichier:///nvim$') ~= nil, vim.api.nvim_buf_get_name(0))
  check('it is a scratch buffer', vim.bo.buftype == 'nofile' and not vim.bo.modifiable)
  local text = table.concat(lines, '\n')
  check('it lists the folder and the files', text:find('sub/', 1, true) and text:find('notes.txt', 1, true)
    and text:find('big file.bin', 1, true) and text:find(notes_url, 1, true), text)
  for number, line in ipairs(lines) do
    if line == 'sub/' then
      vim.api.nvim_win_set_cursor(0, { number, 0 })
    end
  end
  local before = #results
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<CR>', true, false, true), 'x', false)
  vim.wait(20000, function()
    return #results > before
  end, 20)
  local inner = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  check('<CR> on a folder lists it', vim.api.nvim_buf_get_name(0):match('fichier:///nvim/sub$') ~= nil
    and inner:find('inner.txt', 1, true) ~= nil, inner)

  -- 5. Download by path and by URL.
  local target = dir .. '/downloaded.txt'
  local download = run_command('FichierDownload /nvim/notes.txt ' .. vim.fn.fnameescape(target))
  check(':FichierDownload by path', download.err == nil, download.err and download.err.message)
  check('the downloaded bytes are the buffer text', read_file(target) == 'hello from neovim\nsecond line ✓\n', read_file(target))
  local again = run_command('FichierDownload ' .. notes_url .. ' ' .. vim.fn.fnameescape(target))
  check('downloading over an existing file needs !', again.err ~= nil and again.err.data and again.err.data.kind == 'conflict')
  local forced = run_command('FichierDownload! ' .. notes_url .. ' ' .. vim.fn.fnameescape(target))
  check(':FichierDownload! by URL overwrites', forced.err == nil and read_file(target) == 'hello from neovim\nsecond line ✓\n')

  -- 6. Errors reach vim.notify at ERROR level; the session goes on.
  notified = {}
  local missing = run_command('FichierDownload /nvim/missing.txt ' .. vim.fn.fnameescape(dir .. '/x.txt'))
  check('a missing file is an error of kind not_found', missing.err and missing.err.data and missing.err.data.kind == 'not_found')
  check('the error went to vim.notify at ERROR level', #notified == 1 and notified[1].level == vim.log.levels.ERROR
    and notified[1].message:find('missing.txt', 1, true) ~= nil, vim.inspect(notified))
  vim.cmd('enew')
  local empty = run_command('FichierUpload /nvim/empty.txt')
  check('an empty buffer is refused before any request', empty.err ~= nil)

  -- 7. One co-process for the session; restarted after it dies; pending requests fail.
  local pid = fichier.pid()
  check('one co-process ran all of this', type(pid) == 'number' and pid > 0)
  local waited
  fichier.request('debug/sleep', { ms = 30000 }, function(err)
    waited = err or 'no error'
  end)
  vim.wait(500)
  vim.loop.kill(pid, 9)
  vim.wait(10000, function()
    return waited ~= nil
  end, 20)
  check('a request pending when the process died fails', type(waited) == 'table' and waited.data and waited.data.kind == 'server_exited', vim.inspect(waited))
  local relisted = run_command('FichierLs /nvim')
  check('the next command starts a new co-process', relisted.err == nil and fichier.pid() ~= nil and fichier.pid() ~= pid)
  check('the sandbox data survived the restart', table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n'):find('notes.txt', 1, true) ~= nil)

  -- 8. A long answer line arrives in several on_stdout chunks and is stitched back together.
  local long_text = string.rep('0123456789', 40000) .. '✓'
  local echoed_back
  fichier.request('debug/echo', { text = long_text }, function(err, result)
    echoed_back = err and ('error: ' .. tostring(err.message)) or result.text
  end)
  vim.wait(10000, function()
    return echoed_back ~= nil
  end, 20)
  check('a 400 KB answer line is read whole', echoed_back == long_text, echoed_back and #echoed_back)

  -- 9. Cancel through the API.
  local cancelled
  local id = fichier.request('debug/sleep', { ms = 30000 }, function(err)
    cancelled = err or 'no error'
  end)
  fichier.cancel(id)
  vim.wait(5000, function()
    return cancelled ~= nil
  end, 20)
  check('a cancelled request answers -32800', type(cancelled) == 'table' and cancelled.code == -32800, vim.inspect(cancelled))

  local last_pid = fichier.pid()
  vim.cmd('FichierStop')
  check(':FichierStop ends the co-process', fichier.pid() == nil and vim.fn.system({ 'kill', '-0', tostring(last_pid) }) ~= nil
    and vim.v.shell_error ~= 0)
end

local ok, problem = pcall(run)
if not ok then
  failures = failures + 1
  log('FAIL: unexpected error: ' .. tostring(problem))
end
pcall(function()
  require('fichier').stop()
end)
log(string.format('%d of %d checks failed', failures, checks))
if failures > 0 then
  vim.cmd('cquit 1')
else
  vim.cmd('qall!')
end
