-- fichier.nvim: upload buffers to 1fichier, copy links, browse and download, through one
-- `fichier serve` co-process per Neovim session. Neovim 0.7+.

local Client = require('fichier.client')
local base64 = require('fichier.base64')

local M = {}

local config = {
  -- The co-process. Add '--sandbox', DIR to try it offline, or '--api-key-file', FILE.
  cmd = { 'fichier', 'serve' },
  -- Extra environment for it (e.g. { FICHIER_API_KEY_FILE = '…' }).
  env = nil,
  -- Where :FichierUpload puts a buffer when no remote path is given.
  remote_dir = '/nvim',
  -- ifExists for uploads: 'replace' (a new upload of the same path replaces the old file),
  -- 'duplicate', 'skip' or 'error'.
  if_exists = 'replace',
  -- The register that receives links (default: + with a clipboard, else the unnamed one).
  register = nil,
  -- Called after each command with (command, err, result): for scripts and tests.
  on_result = nil,
}

local client = nil

local function get_client()
  if not client then
    client = Client.new({ cmd = config.cmd, env = config.env })
  end
  return client
end

--- Options; see `config` above. May be called again to change them (the co-process is
--- restarted with the new command on next use).
function M.setup(opts)
  config = vim.tbl_extend('force', config, opts or {})
  if client then
    client:stop(2000)
    client = nil
  end
end

local function register()
  if config.register then
    return config.register
  end
  return vim.fn.has('clipboard') == 1 and '+' or '"'
end

local function notify_error(what, err)
  local message = type(err) == 'table' and (err.message or vim.inspect(err)) or tostring(err)
  vim.notify('fichier: ' .. what .. ': ' .. message, vim.log.levels.ERROR)
end

local function finish(command, err, result)
  if config.on_result then
    config.on_result(command, err, result)
  end
end

local function echo(text)
  vim.api.nvim_echo({ { text } }, false, {})
end

local function human_size(bytes)
  if type(bytes) ~= 'number' then
    return '-'
  end
  local units = { 'B', 'KB', 'MB', 'GB', 'TB' }
  local value, unit = bytes, 1
  while value >= 1000 and unit < #units do
    value = value / 1000
    unit = unit + 1
  end
  return unit == 1 and string.format('%d B', bytes) or string.format('%.1f %s', value, units[unit])
end

--- A progress function that shows `label` and the percentage in the message area.
local function progress_echo(label)
  return function(params)
    local done, total = params.bytesDone, params.bytesTotal
    local text = 'fichier: ' .. label .. ' ' .. (params.phase or '')
    if type(total) == 'number' and total > 0 then
      text = text .. string.format(' %d%% (%s of %s)', math.floor(done * 100 / total), human_size(done), human_size(total))
    elseif type(done) == 'number' then
      text = text .. ' ' .. human_size(done)
    end
    echo(text)
  end
end

--- Sends any protocol method: `callback(err, result)`; returns the request id.
function M.request(method, params, callback, on_progress)
  return get_client():request(method, params, callback, on_progress)
end

--- Cancels a request sent with `M.request`.
function M.cancel(id)
  get_client():cancel(id)
end

--- The process id of the co-process, or nil.
function M.pid()
  return client and client.pid or nil
end

--- Stops the co-process (it is started again on next use).
function M.stop()
  if client then
    client:stop(5000)
  end
end

local function is_url(text)
  return text:match('^https?://') ~= nil
end

local function join(dir, name)
  return (dir:gsub('/+$', '')) .. '/' .. name
end

-- :FichierUpload [remote] --------------------------------------------------------------------

--- Uploads the current buffer: its file when it has one and is saved, otherwise its text.
function M.upload(remote)
  local buf = vim.api.nvim_get_current_buf()
  local file = vim.api.nvim_buf_get_name(buf)
  local saved_file = file ~= '' and vim.fn.filereadable(file) == 1 and not vim.bo[buf].modified
  local name = file ~= '' and vim.fn.fnamemodify(file, ':t') or os.date('buffer-%Y%m%d-%H%M%S.txt')
  if not remote or remote == '' then
    remote = join(config.remote_dir, name)
  elseif remote:sub(-1) == '/' then
    remote = remote .. name
  end
  local params = { remote = remote, ifExists = config.if_exists }
  if saved_file then
    params['local'] = vim.fn.fnamemodify(file, ':p')
  else
    local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    local text = table.concat(lines, '\n')
    if vim.bo[buf].eol or vim.bo[buf].fixeol then
      text = text .. '\n'
    end
    if text == '' or text == '\n' and #lines == 1 and lines[1] == '' then
      notify_error('upload', 'the buffer is empty (1fichier refuses empty files)')
      finish('upload', { message = 'empty buffer', data = { kind = 'unsupported' } }, nil)
      return
    end
    params.data = base64.encode(text)
  end
  echo('fichier: uploading ' .. remote)
  M.request('transfer/upload', params, function(err, result)
    if err then
      notify_error('upload of ' .. remote, err)
      return finish('upload', err, nil)
    end
    if vim.api.nvim_buf_is_valid(buf) then
      vim.b[buf].fichier_remote = result.path
      vim.b[buf].fichier_url = result.url
    end
    vim.fn.setreg(register(), result.url)
    echo(string.format('fichier: %s → %s (in register %s)', result.path, result.url, register()))
    finish('upload', nil, result)
  end, progress_echo(remote:match('[^/]+$') or name))
end

-- :FichierLink[!] [path|url] -----------------------------------------------------------------

--- The link of a file (default: the last upload of this buffer) in the register: its
--- 1fichier page URL, or with `direct` a download URL valid 5 minutes.
function M.link(target, direct)
  if not target or target == '' then
    target = vim.b.fichier_remote or vim.b.fichier_url
  end
  if not target then
    notify_error('link', 'nothing was uploaded from this buffer; give a path or URL')
    return finish('link', { message = 'no target', data = { kind = 'invalid_params' } }, nil)
  end
  local params = is_url(target) and { url = target } or { path = target }
  M.request('link/get', params, function(err, result)
    if err then
      notify_error('link of ' .. target, err)
      return finish('link', err, nil)
    end
    local link = direct and result.url or result.fileURL
    vim.fn.setreg(register(), link)
    if direct then
      echo(string.format('fichier: %s (valid until %s, in register %s)', link, tostring(result.expiresAt), register()))
    else
      echo(string.format('fichier: %s (in register %s)', link, register()))
    end
    finish('link', nil, result)
  end)
end

-- :FichierLs [path] --------------------------------------------------------------------------

local function listing_lines(path, folders, files, complete)
  local lines = { string.format('# %s  (%d folders, %d files)', path, #folders, #files) }
  for _, folder in ipairs(folders) do
    table.insert(lines, folder.name .. '/')
  end
  for _, file in ipairs(files) do
    table.insert(lines, string.format('%s\t%s\t%s\t%s', file.name, human_size(file.size),
      tostring(file.date or ''):gsub('T', ' '):gsub('Z$', ''), file.url or ''))
  end
  if complete == false then
    table.insert(lines, '# (1fichier listed only part of this folder)')
  end
  return lines
end

local function show_listing(path, lines)
  local name = 'fichier://' .. path
  local buf = vim.fn.bufnr(name)
  if buf == -1 or not vim.api.nvim_buf_is_valid(buf) then
    buf = vim.api.nvim_create_buf(true, true)
    vim.api.nvim_buf_set_name(buf, name)
  end
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'fichier'
  vim.b[buf].fichier_path = path
  vim.api.nvim_set_current_buf(buf)
  local opts = { buffer = buf, silent = true, nowait = true }
  vim.keymap.set('n', '<CR>', function()
    M.open_entry(vim.api.nvim_get_current_line())
  end, opts)
  vim.keymap.set('n', '-', function()
    local parent = path:match('^(.*)/[^/]+$')
    M.ls(parent == nil or parent == '' and '/' or parent)
  end, opts)
  return buf
end

--- Lists a remote folder into a scratch buffer `fichier://PATH` (<CR> opens a sub-folder or
--- downloads a file into the current directory, `-` goes up).
function M.ls(path)
  path = (path and path ~= '') and path or config.remote_dir
  local folders, files = {}, {}
  local function page(params)
    M.request('fs/list', params, function(err, result)
      if err then
        notify_error('listing of ' .. path, err)
        return finish('ls', err, nil)
      end
      vim.list_extend(folders, result.folders or {})
      vim.list_extend(files, result.files or {})
      if type(result.nextCursor) == 'string' then
        return page({ cursor = result.nextCursor, pageSize = 5000 })
      end
      local shown = result.folder and result.folder.path or path
      local buf = show_listing(shown, listing_lines(shown, folders, files, result.complete))
      finish('ls', nil, { buffer = buf, path = shown, folders = folders, files = files })
    end)
  end
  page({ path = path, pageSize = 5000 })
end

--- <CR> in a listing: a folder line opens it, a file line downloads the file here.
function M.open_entry(line)
  local path = vim.b.fichier_path
  if not path or line:sub(1, 1) == '#' or line == '' then
    return
  end
  if line:sub(-1) == '/' then
    return M.ls(join(path, line:sub(1, -2)))
  end
  local name = line:match('^([^\t]+)\t')
  if name then
    M.download(join(path, name), nil, false)
  end
end

-- :FichierDownload[!] url|path [local] ------------------------------------------------------

--- Downloads a file (by path or URL) to `destination` (default: the current directory,
--- keeping the remote name); `overwrite` replaces an existing file.
function M.download(source, destination, overwrite)
  if not source or source == '' then
    notify_error('download', 'give a path or URL')
    return finish('download', { message = 'no source', data = { kind = 'invalid_params' } }, nil)
  end
  local target
  if not destination or destination == '' then
    target = vim.fn.getcwd() .. '/'
  else
    target = vim.fn.fnamemodify(vim.fn.expand(destination), ':p')
  end
  local params = is_url(source) and { url = source } or { remote = source }
  params['local'] = target
  params.overwrite = overwrite and true or false
  local label = source:match('[^/?]+$') or source
  echo('fichier: downloading ' .. source)
  M.request('transfer/download', params, function(err, result)
    if err then
      notify_error('download of ' .. source, err)
      return finish('download', err, nil)
    end
    echo(string.format('fichier: downloaded %s to %s (%s)', source, result['local'], human_size(result.size)))
    finish('download', nil, result)
  end, progress_echo(label))
end

return M
