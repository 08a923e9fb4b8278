-- The `fichier serve` co-process of this Neovim session: JSON-RPC 2.0 lines over the job's
-- stdin/stdout (protocol/PROTOCOL.md). Works on Neovim 0.7 (jobstart with line stitching; no
-- vim.system). One process per session, started on first use and again after it dies — but
-- not in a tight loop: after 4 exits within 3 minutes it stays down until `reset()`.

local M = {}
M.__index = M

local MAX_CRASHES = 4
local CRASH_WINDOW = 180 -- seconds

--- A client; nothing runs until the first request.
--- opts.cmd: the command (a list, e.g. { 'fichier', 'serve' }); opts.env: extra environment.
function M.new(opts)
  return setmetatable({
    cmd = opts.cmd,
    env = opts.env,
    job = nil,
    pid = nil,
    next_id = 0,
    pending = {},
    partial = '',
    stderr_tail = {},
    exits = {},
    stopping = false,
  }, M)
end

local function now()
  return vim.loop.now() / 1000
end

--- Whether the process runs.
function M:running()
  return self.job ~= nil
end

--- Starts the process if it is not running. Returns true, or nil and a message.
function M:start()
  if self.job then
    return true
  end
  local recent = {}
  for _, at in ipairs(self.exits) do
    if now() - at < CRASH_WINDOW then
      table.insert(recent, at)
    end
  end
  self.exits = recent
  if #recent >= MAX_CRASHES then
    return nil, string.format('fichier serve exited %d times within %d s; not restarting (:FichierStop resets)',
      #recent, CRASH_WINDOW)
  end
  if vim.fn.executable(self.cmd[1]) ~= 1 then
    return nil, 'cannot run ' .. self.cmd[1] .. ' (set cmd in require("fichier").setup)'
  end
  self.partial = ''
  self.stderr_tail = {}
  self.stopping = false
  local job
  local options = {
    on_stdout = function(_, data)
      self:_stdout(data)
    end,
    on_stderr = function(_, data)
      self:_stderr(data)
    end,
    on_exit = function(_, code)
      self:_exited(job, code)
    end,
  }
  if self.env then
    options.env = self.env
  end
  job = vim.fn.jobstart(self.cmd, options)
  if job <= 0 then
    return nil, 'cannot start ' .. table.concat(self.cmd, ' ')
  end
  self.job = job
  self.pid = vim.fn.jobpid(job)
  return true
end

--- Sends a request. `on_done(err, result)` runs once, on the main loop; `on_progress(params)`
--- for each of its event/progress notifications. Returns the request id, or nil if the
--- process cannot be started (on_done then gets the error).
function M:request(method, params, on_done, on_progress)
  local ok, problem = self:start()
  if not ok then
    on_done({ code = -32603, message = problem, data = { kind = 'server_exited' } }, nil)
    return nil
  end
  self.next_id = self.next_id + 1
  local id = self.next_id
  self.pending[id] = { done = on_done, progress = on_progress }
  local message = { jsonrpc = '2.0', id = id, method = method, params = params or vim.empty_dict() }
  if next(message.params) == nil then
    message.params = vim.empty_dict()
  end
  local sent = vim.fn.chansend(self.job, vim.json.encode(message) .. '\n')
  if sent == 0 then
    self.pending[id] = nil
    on_done({ code = -32603, message = 'cannot write to fichier serve', data = { kind = 'server_exited' } }, nil)
    return nil
  end
  return id
end

--- Asks the server to stop request `id` (it then answers error -32800).
function M:cancel(id)
  if self.job and id then
    vim.fn.chansend(self.job, vim.json.encode({ jsonrpc = '2.0', method = '$/cancel', params = { id = id } }) .. '\n')
  end
end

--- Stops the process: closes its input (it finishes what runs and exits 0) and waits up to
--- `timeout_ms`. Also forgets past crashes.
function M:stop(timeout_ms)
  self.exits = {}
  if not self.job then
    return
  end
  local job = self.job
  self.stopping = true
  pcall(vim.fn.chanclose, job, 'stdin')
  local status = vim.fn.jobwait({ job }, timeout_ms or 5000)[1]
  if status == -1 then
    vim.fn.jobstop(job)
    vim.fn.jobwait({ job }, 2000)
  end
end

function M:_stdout(data)
  -- Items are lines, except the first (continues the previous partial line) and the last
  -- (a partial line, '' when the chunk ended with a newline). { '' } alone is EOF.
  if #data == 1 and data[1] == '' then
    return
  end
  data[1] = self.partial .. data[1]
  self.partial = table.remove(data)
  for _, line in ipairs(data) do
    if line ~= '' then
      self:_line(line)
    end
  end
end

function M:_stderr(data)
  for _, line in ipairs(data) do
    if line ~= '' then
      table.insert(self.stderr_tail, line)
      if #self.stderr_tail > 20 then
        table.remove(self.stderr_tail, 1)
      end
    end
  end
end

function M:_line(line)
  local ok, message = pcall(vim.json.decode, line)
  if not ok or type(message) ~= 'table' then
    return
  end
  if message.id ~= nil and (message.result ~= nil or message.error ~= nil) then
    local waiter = self.pending[message.id]
    self.pending[message.id] = nil
    if waiter then
      if message.error ~= nil then
        waiter.done(message.error, nil)
      else
        waiter.done(nil, message.result)
      end
    end
    return
  end
  if message.method == 'event/progress' and type(message.params) == 'table' then
    local waiter = self.pending[message.params.requestId]
    if waiter and waiter.progress then
      waiter.progress(message.params)
    end
  end
end

function M:_exited(job, code)
  if self.job ~= job then
    return
  end
  self.job = nil
  self.pid = nil
  if not self.stopping then
    table.insert(self.exits, now())
  end
  local why = 'fichier serve exited (status ' .. tostring(code) .. ')'
  if #self.stderr_tail > 0 then
    why = why .. ': ' .. self.stderr_tail[#self.stderr_tail]
  end
  local pending = self.pending
  self.pending = {}
  for _, waiter in pairs(pending) do
    waiter.done({ code = -32603, message = why, data = { kind = 'server_exited', retryable = true } }, nil)
  end
end

return M
