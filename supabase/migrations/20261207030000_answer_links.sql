-- Every answer names its question, errors are typed, and runs beat so that a dead worker's run stops counting
-- as live. With those: a second answer in one conversation is refused while one runs (begin_answer raises
-- 'answer running', 55P03), and a question whose answer died with its worker gets an error answer on the next
-- read (recover_answer), so every question ends with an answer or an error record.
alter table public.messages
    add column reply_to uuid references public.messages (id) on delete set null,
    add column error_code text,
    add column retryable boolean not null default false;
alter table public.chat_runs
    add column question_id uuid references public.messages (id) on delete cascade,
    add column heartbeat_at timestamptz;
update public.chat_runs set heartbeat_at = coalesce(finished_at, started_at);
alter table public.chat_runs alter column heartbeat_at set default now();
alter table public.chat_runs alter column heartbeat_at set not null;

drop function public.begin_answer(uuid, text, text, boolean, uuid);
create function public.begin_answer(
    p_conversation_id uuid, p_question text, p_title text default null, p_start_run boolean default true,
    p_history_after uuid default null, p_stale_after_s double precision default 20
) returns jsonb
language plpgsql security invoker set search_path = '' as $$
declare
    question public.messages;
    title_set boolean := false;
    run_id uuid;
    history jsonb;
begin
    -- Serialise with other questions of this conversation, so two runs can never both start.
    perform 1 from public.conversations c where c.id = p_conversation_id for update;
    if p_start_run and exists (
        select 1 from public.chat_runs r
         where r.conversation_id = p_conversation_id and r.finished_at is null
           and r.heartbeat_at > now() - make_interval(secs => p_stale_after_s)
    ) then
        raise exception using errcode = '55P03', message = 'answer running';
    end if;

    insert into public.messages (conversation_id, role, content)
    values (p_conversation_id, 'user', p_question)
    returning * into question;

    if p_title is not null then
        update public.conversations
           set title = p_title
         where id = p_conversation_id and title = 'New chat';
        title_set := found;
    end if;

    if p_start_run then
        insert into public.chat_runs (conversation_id, question_id)
        values (p_conversation_id, question.id) returning id into run_id;
    end if;

    select coalesce(jsonb_agg(
               (to_jsonb(m) - 'data')
               || jsonb_build_object('tool_calls', coalesce(
                      (select jsonb_agg(to_jsonb(tc) order by tc.seq)
                         from public.tool_calls tc where tc.message_id = m.id), '[]'))
               order by m.seq), '[]')
      into history
      from public.messages m
     where m.conversation_id = p_conversation_id
       and m.seq > coalesce(
               (select a.seq from public.messages a
                 where a.id = p_history_after and a.conversation_id = p_conversation_id), 0);

    return jsonb_build_object('title_set', title_set, 'run_id', run_id, 'history', history);
end $$;
revoke execute on function public.begin_answer(uuid, text, text, boolean, uuid, double precision) from public, anon;
grant execute on function public.begin_answer(uuid, text, text, boolean, uuid, double precision)
    to authenticated, service_role;

create or replace function public.save_answer(p_conversation_id uuid, p_answer jsonb) returns jsonb
language plpgsql security invoker set search_path = '' as $$
declare
    msg public.messages;
    token_keys constant text[] := array['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'];
    answer_usage jsonb := coalesce(p_answer -> 'usage', '{}');
    calls jsonb;
begin
    insert into public.messages
        (conversation_id, role, content, data, usage, cost_usd, status, error, error_code, retryable, reply_to)
    values (
        p_conversation_id, 'assistant', coalesce(p_answer ->> 'content', ''), coalesce(p_answer -> 'data', '[]'),
        answer_usage, coalesce((answer_usage ->> 'cost_usd')::numeric, 0), coalesce(p_answer ->> 'status', 'complete'),
        p_answer ->> 'error', p_answer ->> 'error_code', coalesce((p_answer ->> 'retryable')::boolean, false),
        (p_answer ->> 'reply_to')::uuid
    )
    returning * into msg;

    insert into public.tool_calls
        (message_id, tool_use_id, tool_name, title, input, output_summary, error, duration_ms, seq)
    select msg.id, t.call ->> 'tool_use_id', t.call ->> 'tool_name', t.call ->> 'title', t.call -> 'input',
           t.call ->> 'output_summary', t.call ->> 'error', (t.call ->> 'duration_ms')::integer, t.n - 1
      from jsonb_array_elements(coalesce(p_answer -> 'tool_calls', '[]')) with ordinality as t (call, n);

    update public.conversations c
       set usage = (select jsonb_object_agg(k, coalesce((c.usage ->> k)::bigint, 0)
                                               + coalesce((answer_usage ->> k)::bigint, 0))
                      from unnest(token_keys) as k),
           cost_usd = c.cost_usd + msg.cost_usd
     where c.id = p_conversation_id;

    select coalesce(jsonb_agg(to_jsonb(tc) order by tc.seq), '[]') into calls
      from public.tool_calls tc where tc.message_id = msg.id;
    return to_jsonb(msg) || jsonb_build_object('tool_calls', calls);
end $$;

-- After a crash: when the conversation's last message is a question and no live run answers it, its runs are
-- closed and the error answer p_error (with p_error_code, retryable) is stored. Returns whether it stored one.
create function public.recover_answer(
    p_conversation_id uuid, p_error text, p_error_code text, p_stale_after_s double precision default 20
) returns boolean
language plpgsql security invoker set search_path = '' as $$
declare
    last_message public.messages;
begin
    perform 1 from public.conversations c where c.id = p_conversation_id for update;
    select * into last_message from public.messages m
     where m.conversation_id = p_conversation_id order by m.seq desc limit 1;
    if last_message.id is null or last_message.role <> 'user' or exists (
        select 1 from public.chat_runs r
         where r.conversation_id = p_conversation_id and r.finished_at is null
           and r.heartbeat_at > now() - make_interval(secs => p_stale_after_s)
    ) then
        return false;
    end if;
    update public.chat_runs set finished_at = now()
     where conversation_id = p_conversation_id and finished_at is null;
    insert into public.messages (conversation_id, role, content, status, error, error_code, retryable, reply_to)
    values (p_conversation_id, 'assistant', '', 'error', p_error, p_error_code, true, last_message.id);
    return true;
end $$;
revoke execute on function public.recover_answer(uuid, text, text, double precision) from public, anon;
grant execute on function public.recover_answer(uuid, text, text, double precision) to authenticated, service_role;

notify pgrst, 'reload schema';
