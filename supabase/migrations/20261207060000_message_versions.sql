-- Versions instead of repeats: regenerating an answer or editing a question adds a sibling in a tree of messages
-- (every message follows one other, messages.reply_to), and the conversation reads as the path from its first
-- question down to conversations.current_leaf. shared/store/thread.py walks the same tree for SQLite.
alter table public.conversations
    add column current_leaf uuid references public.messages (id) on delete set null;

-- Before versions a conversation was one line: each message follows the one before it.
update public.messages m
   set reply_to = (select p.id from public.messages p
                    where p.conversation_id = m.conversation_id and p.seq < m.seq
                    order by p.seq desc limit 1)
 where m.reply_to is null;
update public.conversations c
   set current_leaf = (select m.id from public.messages m where m.conversation_id = c.id order by m.seq desc limit 1);
alter table public.messages add constraint messages_reply_to_other check (reply_to <> id);
create index messages_reply_to on public.messages (reply_to);

-- Choosing a version is not activity: only other changes move a conversation up the list.
drop trigger conversations_updated_at on public.conversations;
create trigger conversations_updated_at before update on public.conversations
    for each row when (old.current_leaf is not distinct from new.current_leaf)
    execute function public.set_updated_at();

-- A new message is where the conversation now ends.
create function public.messages_after_insert() returns trigger
language plpgsql security invoker set search_path = '' as $$
begin
    update public.conversations set current_leaf = new.id where id = new.conversation_id;
    return null;
end $$;
create trigger messages_after_insert after insert on public.messages
    for each row execute function public.messages_after_insert();

-- The conversation's current leaf: conversations.current_leaf when it is one of its messages, else the newest.
create function public.current_leaf(p_conversation_id uuid) returns uuid
language sql stable security invoker set search_path = '' as $$
    select coalesce(
        (select m.id from public.conversations c join public.messages m on m.id = c.current_leaf
          where c.id = p_conversation_id and m.conversation_id = p_conversation_id),
        (select m.id from public.messages m where m.conversation_id = p_conversation_id
          order by m.seq desc limit 1))
$$;

-- The ids from the first question down to p_leaf, inside one conversation (depth-bounded, like thread.py).
create function public.message_path(p_conversation_id uuid, p_leaf uuid) returns uuid[]
language sql stable security invoker set search_path = '' as $$
    with recursive up (id, reply_to, depth) as (
        select m.id, m.reply_to, 1 from public.messages m
         where m.id = p_leaf and m.conversation_id = p_conversation_id
        union all
        select m.id, m.reply_to, up.depth + 1
          from up join public.messages m on m.id = up.reply_to and m.conversation_id = p_conversation_id
         where up.depth < 100000
    )
    select coalesce(array_agg(up.id order by up.depth desc), '{}') from up
$$;

-- Messages as the API returns them, in the order of p_ids: tool calls, versions, and the cards when p_cards.
create function public.messages_json(p_ids uuid[], p_cards boolean) returns jsonb
language sql stable security invoker set search_path = '' as $$
    select coalesce(jsonb_agg(
               (case when p_cards then to_jsonb(m) else to_jsonb(m) - 'data' end)
               || jsonb_build_object(
                      'tool_calls', coalesce(
                          (select jsonb_agg(to_jsonb(tc) order by tc.seq)
                             from public.tool_calls tc where tc.message_id = m.id), '[]'),
                      'versions', (select jsonb_agg(s.id order by s.seq) from public.messages s
                                    where s.conversation_id = m.conversation_id and s.role = m.role
                                      and s.reply_to is not distinct from m.reply_to))
               order by p.n), '[]')
      from unnest(p_ids) with ordinality as p (id, n)
      join public.messages m on m.id = p.id
$$;

-- The conversation's current path (what list_messages returns).
create function public.conversation_messages(p_conversation_id uuid, p_cards boolean default true) returns jsonb
language sql stable security invoker set search_path = '' as $$
    select public.messages_json(
        public.message_path(p_conversation_id, public.current_leaf(p_conversation_id)), p_cards)
$$;

-- Show p_message_id's branch: the current leaf becomes the newest message under it. False when it is not a
-- message of the caller's active conversation.
create function public.select_version(p_conversation_id uuid, p_message_id uuid) returns boolean
language plpgsql security invoker set search_path = '' as $$
declare
    leaf uuid;
begin
    perform 1 from public.conversations c where c.id = p_conversation_id and c.status = 'active' for update;
    if not found or not exists (
        select 1 from public.messages m where m.id = p_message_id and m.conversation_id = p_conversation_id
    ) then
        return false;
    end if;
    with recursive down (id) as (
        select p_message_id
        union
        select m.id from down join public.messages m
            on m.reply_to = down.id and m.conversation_id = p_conversation_id
    )
    select m.id into leaf from public.messages m join down on down.id = m.id order by m.seq desc limit 1;
    update public.conversations set current_leaf = leaf where id = p_conversation_id;
    return true;
end $$;

-- An answer follows its question (p_answer.reply_to), or the current leaf when it names none.
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
        coalesce((p_answer ->> 'reply_to')::uuid, public.current_leaf(p_conversation_id))
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

    return public.messages_json(array[msg.id], true) -> 0;
end $$;

drop function public.begin_answer(uuid, text, text, boolean, uuid, double precision);
-- p_question follows the current path, or is a new version of p_revises; with p_question null, p_revises is
-- answered again (regenerate) and no question is stored. History: the path to the question, after
-- p_history_after when that is on it.
create function public.begin_answer(
    p_conversation_id uuid, p_question text, p_revises uuid default null, p_title text default null,
    p_start_run boolean default true, p_history_after uuid default null, p_stale_after_s double precision default 20
) returns jsonb
language plpgsql security invoker set search_path = '' as $$
declare
    question public.messages;
    revised public.messages;
    title_set boolean := false;
    run_id uuid;
    path uuid[];
    after_at integer;
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

    if p_revises is not null then
        select * into revised from public.messages m
         where m.id = p_revises and m.conversation_id = p_conversation_id and m.role = 'user';
        if not found then
            raise exception using errcode = 'P0002', message = 'question not found';
        end if;
    end if;
    if p_question is null then
        if revised.id is null then
            raise exception using errcode = 'P0002', message = 'question not found';
        end if;
        question := revised;
        update public.conversations set current_leaf = question.id where id = p_conversation_id;
    else
        insert into public.messages (conversation_id, role, content, reply_to)
        values (p_conversation_id, 'user', p_question,
                case when p_revises is null then public.current_leaf(p_conversation_id) else revised.reply_to end)
        returning * into question;
    end if;

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

    path := public.message_path(p_conversation_id, question.id);
    after_at := array_position(path, p_history_after);
    return jsonb_build_object(
        'title_set', title_set, 'run_id', run_id, 'after_summary', after_at is not null,
        'history', public.messages_json(coalesce(path[after_at + 1:], path), false));
end $$;
revoke execute on function public.begin_answer(uuid, text, uuid, text, boolean, uuid, double precision)
    from public, anon;
grant execute on function public.begin_answer(uuid, text, uuid, text, boolean, uuid, double precision)
    to authenticated, service_role;

-- After a crash: when the current path ends with a question and no live run answers it, its runs are closed
-- and the error answer p_error (with p_error_code, retryable) is stored. Returns whether it stored one.
create or replace function public.recover_answer(
    p_conversation_id uuid, p_error text, p_error_code text, p_stale_after_s double precision default 20
) returns boolean
language plpgsql security invoker set search_path = '' as $$
declare
    last_message public.messages;
begin
    perform 1 from public.conversations c where c.id = p_conversation_id for update;
    select * into last_message from public.messages m where m.id = public.current_leaf(p_conversation_id);
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

revoke execute on function public.current_leaf(uuid), public.message_path(uuid, uuid),
    public.messages_json(uuid[], boolean), public.conversation_messages(uuid, boolean),
    public.select_version(uuid, uuid) from public, anon;
grant execute on function public.current_leaf(uuid), public.message_path(uuid, uuid),
    public.messages_json(uuid[], boolean), public.conversation_messages(uuid, boolean),
    public.select_version(uuid, uuid) to authenticated, service_role;

notify pgrst, 'reload schema';
